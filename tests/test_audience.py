"""The learning loop: engagement in (differenced, bad rows quarantined), the audience model,
decisions with propensities, renewal, off-policy estimates, and the loop through Dagster."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from test_sensors import (
    cadence_resources,
    catalogued,
    database,
    materialize_all_templates,
    tick,
)

from assets.audience import audience_model
from bench.audience import LOCALES, concept_pool, engagement_of, released_row
from definitions import defs
from microdrama.audience.decisions import Decision
from microdrama.audience.engagement import difference, empty_state, snapshots
from microdrama.audience.evaluation import doubly_robust, ips
from microdrama.audience.features import Vocabulary
from microdrama.audience.feed import COLUMNS, STARTS, validate, write_feed
from microdrama.audience.market import Market
from microdrama.audience.model import AudienceModel, evidence
from microdrama.audience.pictures import genre_posteriors, typical
from microdrama.audience.renewal import ALL_JUDGED, NO_PEERS, verdicts, why_none
from microdrama.audience.tables import AudienceTables
from microdrama.catalog.rows import concept_columns
from microdrama.concepts.library import load_library
from microdrama.concepts.planner import plan_episode
from microdrama.concepts.sampler import ConceptSpace
from microdrama.keys import EpisodeKey
from resources import EngagementFeed
from sensors.audience import engagement_sensor, renewal_sensor
from sensors.cadence import release_cadence

REPO = Path(__file__).resolve().parent.parent
START = date(2026, 1, 1)
LIBRARY = load_library(REPO / "templates" / "concepts")


@pytest.fixture(scope="module")
def pool() -> list[dict]:
    return concept_pool(per_genre=40)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.of(LIBRARY, LOCALES)


def learn(market: Market, pool: list[dict], model: AudienceModel, days: int, start: date) -> None:
    """Release 20 random pool concepts a day for `days` days; absorb each day's figures."""
    rng = np.random.default_rng(3)
    released: list[dict] = []
    offset = len(model.seen)  # distinct keys across calls
    for d in range(days):
        day = start + timedelta(days=d)
        for _ in range(20):
            n = offset * 1000 + d * 20 + len(released) % 20
            released.append(released_row(n + len(released), pool[rng.integers(len(pool))], day))
        model.update(evidence(engagement_of(market, released, day), pd.DataFrame(released)))


def trope_lift(model: AudienceModel, genre: str, trope: str, beat: str = "hook") -> float:
    """How much the trope beats the genre's other tropes of its beat, by the posterior mean
    (a contrast: the level of one trope alone is not identified)."""
    others = [t for t in LIBRARY.tropes_for(genre, beat) if t != trope]
    rows = [[f"genre:{genre}", f"trope:{t}"] for t in [trope, *others]]
    means = model.mean(rows)
    return float(means[0] - means[1:].mean())


def test_the_model_recovers_a_planted_preference(pool, vocabulary) -> None:
    market = Market(seed=5)
    genre = "revenge"
    hooks = LIBRARY.tropes_for(genre, "hook")
    planted = hooks[len(hooks) // 2]
    market._effects[f"trope:{planted}", False] = 1.5  # a hook the audience loves
    model = AudienceModel.prior(vocabulary)
    learn(market, pool, model, days=12, start=START)
    lifts = {hook: trope_lift(model, genre, hook) for hook in hooks}
    assert max(lifts, key=lifts.get) == planted
    # typical pilots of each genre: the posterior ranks genres as the market does, and a
    # measured genre's credible interval is narrow
    typicals = typical(LIBRARY, ConceptSpace(LIBRARY), sorted(LIBRARY.genres))
    found = genre_posteriors(model, typicals, list(LOCALES)).set_index("genre")
    true = {g: np.mean([market.value(c, LOCALES) for c in cs]) for g, cs in typicals.items()}
    genres = sorted(true)
    assert np.corrcoef(found.loc[genres, "mean"], [true[g] for g in genres])[0, 1] > 0.8
    assert ((found["high"] - found["low"]) < 0.1).all()


def test_decay_follows_a_drift(pool, vocabulary) -> None:
    drift = START + timedelta(days=10)
    market = Market(seed=8, drift_day=drift.isoformat(), drift_share=1.0)
    genre, trope = pool[0]["genre"], pool[0]["hook"]
    market._effects[f"trope:{trope}", False] = 1.5
    market._effects[f"trope:{trope}", True] = -1.5  # loved, then disliked
    forgetful = AudienceModel.prior(vocabulary, half_life=7)
    stubborn = AudienceModel.prior(vocabulary, half_life=1e9)
    ours = [r for r in pool if r["hook"] == trope]
    mixed = ours * 10 + pool  # the trope is released often enough to be measured
    for model in (forgetful, stubborn):
        learn(market, mixed, model, days=10, start=START)
        assert trope_lift(model, genre, trope) > 0.1
        learn(market, mixed, model, days=10, start=drift)
    assert trope_lift(forgetful, genre, trope) < 0  # it followed the drift
    assert trope_lift(forgetful, genre, trope) < trope_lift(stubborn, genre, trope) - 0.05


def export_row(day: str, episode: str, plays: int, completions: int, **other) -> dict:
    row = dict.fromkeys(COLUMNS, "0")
    row.update(day=day, episode=episode, locale="en", platform="youtube")
    row.update(impressions=str(plays * 2), plays=str(plays), hold_3s=str(plays))
    row.update(completions=str(completions), avg_watch_seconds="10")
    row.update({k: str(v) for k, v in other.items()})
    return row


def test_late_and_cumulative_rows_are_differenced() -> None:
    known = {"a-0001-01", "b-0001-01"}.intersection
    first = pd.DataFrame(
        [
            export_row("2026-01-01", "a-0001-01", 100, 20),
            export_row("2026-01-02", "a-0001-01", 150, 30),
            export_row("2026-01-01", "b-0001-01", 10, 1),  # b's 01-02 is late
        ]
    )
    good, bad = validate(first, known, "first")
    increments, state, fell, superseded = difference(empty_state(), snapshots(good))
    assert bad.empty and fell.empty and superseded == 0
    daily = increments.set_index(["episode", "day"])
    assert daily.loc[("a-0001-01", "2026-01-02"), "plays"] == 50
    assert daily.loc[("a-0001-01", "2026-01-02"), "completions"] == 10
    assert daily.loc[("a-0001-01", "2026-01-02"), "watch_seconds"] == 500
    second = pd.DataFrame(
        [
            export_row("2026-01-01", "a-0001-01", 100, 20),  # superseded by the state
            export_row("2026-01-02", "a-0001-01", 150, 30),  # already held: adds nothing
            export_row("2026-01-03", "a-0001-01", 170, 35),
            export_row("2026-01-02", "b-0001-01", 25, 4),  # the late day, on its own day
            export_row("2026-01-03", "b-0001-01", 20, 4),  # fell: quarantined
        ]
    )
    good, _ = validate(second, known, "second")
    increments, state, fell, superseded = difference(state, snapshots(good))
    got = {(r.episode, r.day): (r.plays, r.completions) for r in increments.itertuples()}
    assert got == {("a-0001-01", "2026-01-03"): (20, 5), ("b-0001-01", "2026-01-02"): (15, 3)}
    assert superseded == 1 and list(fell["day"]) == ["2026-01-03"]
    assert "below the export before it" in fell["reason"].iloc[0]
    held = state.set_index("episode")
    assert held.loc["b-0001-01", "plays"] == 25 and held.loc["a-0001-01", "day"] == "2026-01-03"


def test_off_policy_estimates_recover_a_policy_it_did_not_run() -> None:
    rng = np.random.default_rng(0)
    rewards_of = np.array([0.2, 0.5, 0.3])  # true mean completion of three actions
    logged_p = np.array([0.6, 0.2, 0.2])  # the logging policy
    target_p = np.array([0.1, 0.8, 0.1])  # the one to evaluate: worth 0.45
    n = 20_000
    actions = rng.choice(3, n, p=logged_p)
    rewards = rng.binomial(1, rewards_of[actions]).astype(float)
    model = rewards_of + 0.05  # a reward model that is a little off
    truth = float(target_p @ rewards_of)
    ips_value = ips(rewards, logged_p[actions], target_p[actions])
    dr_value = doubly_robust(
        rewards, logged_p[actions], target_p[actions], model[actions], np.full(n, target_p @ model)
    )
    assert abs(ips_value - truth) < 0.02 and abs(dr_value - truth) < 0.02
    assert abs(float(rewards.mean()) - truth) > 0.1  # the naive mean is not the answer


def concept_rows(world, keys: list[str]) -> None:
    """Catalog rows for minted pilots, with the concept the premise plans from each release."""
    from assets.release import latest_release
    from microdrama.media import MediaStore

    store = MediaStore(world["storage"])
    lib = load_library(world["templates"] / "concepts")
    space = ConceptSpace(lib)
    catalogued(world, keys)
    rows = database(world).rows(keys=keys)
    updated = []
    for row in rows.to_dict("records"):
        made = latest_release(world["instance"], row["key"])
        key = EpisodeKey.parse(row["key"])
        if key.genre not in lib.genres:  # a fixed-format genre: no concept to plan
            updated.append({**row, "locales": "en,es"})
            continue
        planned = plan_episode(store, lib, space, key, tuple(made.tropes) if made.tropes else None)
        updated.append({**row, "locales": "en,es", **concept_columns(planned.concept.to_dict())})
    database(world).upsert(updated)


def run_audience_job(world, feed: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The audience job through Dagster, as the engagement sensor launches it; the model's
    metadata."""
    monkeypatch.setenv("MICRODRAMA_ENGAGEMENT", str(feed))
    outcome = defs.resolve_job_def("audience_job").execute_in_process(instance=world["instance"])
    assert outcome.success
    records = world["instance"].fetch_materializations(audience_model.key, limit=1).records
    return records[0].asset_materialization.metadata


def test_every_decision_has_a_propensity_and_the_premise_makes_the_chosen_concept(world) -> None:
    materialize_all_templates(world)
    resources = cadence_resources(world)
    cursor = None
    keys = []
    for _ in range(3):
        result = tick(release_cadence, world, cursor, **resources)
        cursor = result.cursor
        keys.append(result.run_requests[0].partition_key)
    log = world["catalog"].decisions().recent()
    assert sorted(log["key"]) == sorted(keys) and set(log["kind"]) == {"pilot"}
    for row in log.itertuples():
        probabilities = [c["probability"] for c in row.candidates]
        chosen = [c for c in row.candidates if c["chosen"]]
        assert len(chosen) == 1 and chosen[0]["probability"] == pytest.approx(row.propensity)
        assert sum(probabilities) == pytest.approx(1.0) and 0 < row.propensity <= 1
        assert len(row.candidates) >= 6 and row.reason and row.policy == "thompson"
        chosen_tropes = json.loads(chosen[0]["features"])["tropes"]
        concept_rows(world, [row.key])
        made = database(world).rows(keys=[row.key]).iloc[0]
        assert {b: made[b] for b in chosen_tropes} == chosen_tropes  # the premise's concept


def test_bad_engagement_rows_are_quarantined_with_reasons_and_the_good_ones_used(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    materialize_all_templates(world)
    catalogued(world, ["revenge-0001-01", "revenge-0002-01"])
    good = [
        export_row("2026-12-01", "revenge-0001-01", 400, 100),
        export_row("2026-12-02", "revenge-0001-01", 600, 150),
        export_row("2026-12-01", "revenge-0002-01", 300, 30),
    ]
    bad = {
        "unknown episode": export_row("2026-12-01", "revenge-0099-01", 10, 1),
        "negative count": export_row("2026-12-01", "revenge-0002-01", 10, 1, likes=-3),
        "non-numeric count": export_row("2026-12-01", "revenge-0002-01", 10, 1, shares="many"),
        "completions above plays": export_row("2026-12-03", "revenge-0002-01", 10, 50),
        "bad date": export_row("02/12/2026", "revenge-0002-01", 10, 1),
        "duplicate": good[0],
    }
    feed = world["storage"].parent / "engagement.csv"
    write_feed(pd.DataFrame([*good, *bad.values()]), str(feed))
    run_audience_job(world, feed, monkeypatch)
    store = world["media"].store()
    quarantine = AudienceTables(store).quarantine()
    for reason in bad:
        assert quarantine["reason"].str.startswith(reason).sum() == 1, reason
    record = world["instance"].fetch_materializations(dg.AssetKey("engagement"), limit=1)
    metadata = record.records[0].asset_materialization.metadata
    assert metadata["quarantined"].value == len(bad) and metadata["used"].value == len(good)
    daily = pd.read_parquet(store.root / "tables" / "engagement")  # the dataset, by day
    assert int(daily["plays"].sum()) == 600 + 300
    assert set(daily["day"].astype(str)) == {"2026-12-01", "2026-12-02"}
    kept = AudienceTables(store).episodes()
    assert kept.set_index("episode").loc["revenge-0001-01", "completions"] == 150
    with pytest.raises(Exception, match=r"engagement\.csv"):  # an unreadable feed names itself
        feed.write_bytes(b"\x00\xff not a csv")
        monkeypatch.setenv("MICRODRAMA_ENGAGEMENT", str(feed))
        defs.resolve_job_def("audience_job").execute_in_process(instance=world["instance"])
    assert AudienceTables(store).episodes().equals(kept)  # the figures made before are intact
    assert AudienceTables(store).model() is not None  # what was made is still there


def figures(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "episode": key,
                "series": EpisodeKey.parse(key).series_id,
                "genre": EpisodeKey.parse(key).genre,
                "locale": "en",
                "day": "2026-12-02",
                "plays": plays,
                "completions": completions,
            }
            for key, plays, completions in rows
        ]
    )


def test_the_renewal_sensor_renews_and_retires_on_a_real_instance(world) -> None:
    materialize_all_templates(world)
    keys = ["revenge-0001-01", "revenge-0002-01", "revenge-0003-01", "revenge-0004-01"]
    catalogued(world, keys)
    store = world["media"].store()
    AudienceTables(store).add_to_episodes(
        figures(
            [
                ("revenge-0001-01", 1000, 400),  # 40 %: beats the median, renewed
                ("revenge-0002-01", 1000, 100),  # 10 %: a pilot far below it, retired
                ("revenge-0003-01", 1000, 250),
                ("revenge-0004-01", 100, 99),  # too few plays to judge
            ]
        )
    )
    resources = {"media": world["media"], "catalog": world["catalog"]}
    idle = tick(renewal_sensor, world, **resources)
    assert idle.run_requests == [] and "no new audience model" in idle.skip_reason.skip_message
    world["instance"].report_runless_asset_event(dg.AssetMaterialization("audience_model"))
    first = tick(renewal_sensor, world, **resources)
    assert [r.partition_key for r in first.run_requests] == ["revenge-0001-02"]
    assert world["instance"].has_dynamic_partition("episodes", "revenge-0001-02")
    log = world["catalog"].decisions()
    assert log.status(["revenge-0001", "revenge-0002", "revenge-0003"]) == {
        "revenge-0001": "renewed",
        "revenge-0002": "retired",
    }
    decisions = log.recent()
    assert set(decisions["propensity"]) == {1.0}
    assert "beats the revenge median" in decisions.set_index("series").loc["revenge-0001", "reason"]
    again = tick(renewal_sensor, world, first.cursor, **resources)
    assert again.run_requests == []
    world["instance"].report_runless_asset_event(dg.AssetMaterialization("audience_model"))
    later = tick(renewal_sensor, world, again.cursor, **resources)
    assert later.run_requests == [] and len(log.recent()) == 2  # each episode judged once


def test_the_loop_end_to_end_through_dagster(world, monkeypatch: pytest.MonkeyPatch) -> None:
    """Releases by the cadence, a market's engagement, the sensor-launched model update, and
    the next releases follow the model; the gallery shows the figures."""
    from playwright.sync_api import sync_playwright

    from microdrama.gallery import pages

    materialize_all_templates(world)
    resources = cadence_resources(world)
    cursor, keys = None, []
    for _ in range(30):
        result = tick(release_cadence, world, cursor, **resources)
        cursor = result.cursor
        keys.append(result.run_requests[0].partition_key)
    concept_rows(world, keys)
    market = Market(seed=2)
    loved = "werewolf-romance"
    market._effects[f"genre:{loved}", False] = 2.0
    feed = world["storage"].parent / "engagement.csv"
    write_feed(market.export(database(world).rows(), date(2026, 12, 3), 7), str(feed))
    monkeypatch.setenv("MICRODRAMA_ENGAGEMENT", str(feed))
    source = {"engagement_source": EngagementFeed(media=world["media"], location=str(feed))}
    changed = tick(engagement_sensor, world, **source)
    assert len(changed.run_requests) == 1 and changed.asset_events[0].tags
    assert tick(engagement_sensor, world, changed.cursor, **source).run_requests == []
    metadata = run_audience_job(world, feed, monkeypatch)
    genres_table = metadata["completion_by_genre"].value
    assert genres_table.splitlines()[2].startswith(f"| {loved} ")  # best first
    assert "last_100_releases" in metadata and "off_policy" in metadata
    for _ in range(10):
        cursor = tick(release_cadence, world, cursor, **resources).cursor
    log = world["catalog"].decisions().recent(40)  # newest first: 10 after the update, 30 before
    mass = [
        sum(c["probability"] for c in row.candidates if json.loads(c["features"])["genre"] == loved)
        for row in log.itertuples()
    ]
    assert np.mean(mass[:10]) > 2 * np.mean(mass[10:])  # the policy now favours what holds
    # the gallery shows each card's engagement and its series' status
    store = world["media"].store()
    rows = database(world).rows(keys=keys)
    pages.update(store, world["catalog"].database(), rows.to_dict("records"), ["en", "es"], "")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page()
        page.goto((store.root / "gallery" / "index.html").as_uri())
        page.wait_for_function(
            "[...document.querySelectorAll('.audience')].some(n => n.textContent.includes('%'))"
        )
        shown = page.eval_on_selector_all(".audience", "nodes => nodes.map(n => n.textContent)")
        browser.close()
    assert any("completion" in text and "series testing" in text for text in shown)


def test_a_postgres_table_is_a_feed_and_holds_the_decisions_log() -> None:
    """The production profile: the export arrives as a table, decisions land beside the
    catalog in Postgres."""
    import sqlalchemy as sa

    from microdrama.audience.decisions import Decision, DecisionLog
    from microdrama.audience.feed import read_raw

    url = "postgresql://postgres@127.0.0.1:5432/test"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
    table = f"engagement_export_{np.random.default_rng().integers(1 << 30)}"
    rows = pd.DataFrame([export_row("2026-12-01", "a-0001-01", 100, 20)])
    try:
        rows.to_sql(table, engine, index=False)
        read = read_raw(f"{url}?table={table}")
        good, bad = validate(read, {"a-0001-01"}.intersection, table)
        assert bad.empty and good.loc[0, "completions"] == 20
        log = DecisionLog(engine)
        decision = Decision(
            "2026-12-01T00:00:00+00:00",
            "pilot",
            "a-0001-01",
            "a-0001",
            "a",
            "thompson",
            "a test",
            0.25,
            0.3,
            [{"chosen": True}],
        )
        log.record([decision])
        assert log.of_keys(["a-0001-01"]).iloc[-1]["propensity"] == 0.25
        with pytest.raises(ValueError, match="propensity"):
            Decision("2026-12-01", "pilot", "a-0001-01", "a-0001", "a", "x", "y", 0.0)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
            conn.execute(sa.text("DELETE FROM decisions WHERE key = 'a-0001-01'"))
        engine.dispose()


def feed_of(world, rows: list[dict], name: str = "engagement.csv") -> Path:
    feed = world["storage"].parent / name
    write_feed(pd.DataFrame(rows), str(feed))
    return feed


def test_a_strong_pilot_followed_by_weak_episodes_is_retired_at_its_weak_episode(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feed -> engagement -> model -> renewal sensor on a real instance: the pilot is renewed,
    its weak second episode retires the series, where the series-wide average still beats the
    genre's median (today's rule would have renewed it again)."""
    from bench.audience import series_average_verdicts

    materialize_all_templates(world)
    pilots = {"revenge-0001-01": 450, "revenge-0002-01": 250, "revenge-0003-01": 200}
    pilots["revenge-0004-01"] = 300
    catalogued(world, list(pilots))
    first = [export_row("2026-12-01", key, 1000, done) for key, done in pilots.items()]
    run_audience_job(world, feed_of(world, first), monkeypatch)
    resources = {"media": world["media"], "catalog": world["catalog"]}
    judged = tick(renewal_sensor, world, **resources)
    assert "revenge-0001-02" in [r.partition_key for r in judged.run_requests]
    log = world["catalog"].decisions()
    assert log.status(["revenge-0001"]) == {"revenge-0001": "renewed"}
    catalogued(world, ["revenge-0001-02"])
    # the next export: the weak follow-up, and the pilot's viewers who went on to it
    second = [  # the pilots' figures have not moved since; starts come with the next day
        {**row, "day": "2026-12-02", STARTS: "600" if row["episode"] == "revenge-0001-01" else ""}
        for row in [*first, export_row("2026-12-01", "revenge-0001-02", 1000, 100)]
    ]
    run_audience_job(world, feed_of(world, second), monkeypatch)
    later = tick(renewal_sensor, world, judged.cursor, **resources)
    assert "revenge-0001-03" not in [r.partition_key for r in later.run_requests]
    assert log.status(["revenge-0001"]) == {"revenge-0001": "retired"}
    retired = log.of_series(["revenge-0001"]).iloc[-1]
    assert retired["key"] == "revenge-0001-02" and "is under 90% of" in retired["reason"]
    episodes = AudienceTables(world["media"].store()).episodes().set_index("episode")
    assert episodes.loc["revenge-0001-01", STARTS] == 600
    assert np.isnan(episodes.loc["revenge-0002-01", STARTS])  # not reported: unknown, not 0
    model = AudienceTables(world["media"].store()).model()
    assert model.continuation is not None  # learned where the feed reported it
    status = {"revenge-0001": "renewed"}
    today = series_average_verdicts(episodes.reset_index(), status, {"revenge-0001-01"})
    assert [(v.series, v.kind) for v in today if v.series == "revenge-0001"] == [
        ("revenge-0001", "renew")
    ]


def test_exports_without_next_episode_starts_behave_as_today() -> None:
    """The same export with and without the column: the same daily figures; without it the
    verdicts are completion's alone (continuation unknown, NaN, never 0); with it, a series
    whose viewers did not come on to its newest episode is retired."""
    from microdrama.audience.tables import fold_episodes

    keys = [f"revenge-000{n}-01" for n in range(1, 5)] + ["revenge-0001-02"]
    rows = [
        export_row("2026-12-01", k, 1000, done)
        for k, done in zip(keys, [450, 250, 200, 300, 400], strict=True)
    ]
    plain, _ = validate(pd.DataFrame(rows), set(keys).intersection, "plain")
    went_on = {"revenge-0001-01": "50"}  # 5 % of the pilot's viewers, where peers keep 50 %
    with_column = [{**row, STARTS: went_on.get(row["episode"], "500")} for row in rows]
    reported, bad = validate(pd.DataFrame(with_column), set(keys).intersection, "reported")
    assert bad.empty
    a, _, _, _ = difference(empty_state(), snapshots(plain))
    b, _, _, _ = difference(empty_state(), snapshots(reported))
    assert a[STARTS].isna().all() and b[STARTS].notna().all()
    assert a.drop(columns=[STARTS]).equals(b.drop(columns=[STARTS]))

    def episodes_of(increments: pd.DataFrame) -> pd.DataFrame:
        series = [EpisodeKey.parse(k).series_id for k in increments["episode"]]
        return fold_episodes(pd.DataFrame(), increments.assign(series=series, genre="revenge"))

    without, low = episodes_of(a), episodes_of(b)
    found = {(v.series, v.kind, v.key) for v in verdicts(without, {}, set())}
    assert found == {  # the median is 30 %: completion decides, as before
        ("revenge-0001", "renew", "revenge-0001-02"),
        ("revenge-0002", "retire", "revenge-0002-01"),
        ("revenge-0003", "retire", "revenge-0003-01"),
    }
    judged = {(v.series, v.kind, v.key): v for v in verdicts(low, {}, set())}
    assert ("revenge-0001", "retire", "revenge-0001-02") in judged  # 5 % came on, bar 50 %
    assert "5.0% of viewers came on" in judged["revenge-0001", "retire", "revenge-0001-02"].reason
    assert why_none(without.head(0), {}, set()) == NO_PEERS
    assert verdicts(without, {}, {v[2] for v in found} | set(keys)) == []
    assert why_none(without, {}, {v[2] for v in found} | set(keys)) == ALL_JUDGED


def two_ingests(world, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two exports through the audience job, each with bad rows."""
    materialize_all_templates(world)
    catalogued(world, ["revenge-0001-01"])
    first = [
        export_row("2026-12-01", "revenge-0001-01", 400, 100),
        export_row("2026-12-01", "revenge-0099-01", 10, 1),  # unknown episode
    ]
    run_audience_job(world, feed_of(world, first), monkeypatch)
    second = [
        export_row("2026-12-02", "revenge-0001-01", 500, 120),
        export_row("bad day", "revenge-0001-01", 10, 1),
        export_row("2026-12-02", "revenge-0001-01", 10, 1, likes=-2),
    ]
    run_audience_job(world, feed_of(world, second), monkeypatch)


def test_quarantine_rows_of_two_ingests_are_both_kept(world, monkeypatch) -> None:
    two_ingests(world, monkeypatch)
    tables = AudienceTables(world["media"].store())
    kept = tables.quarantine()
    assert kept["ingest"].nunique() == 2 and len(kept) == 3
    assert {r.split(" (")[0] for r in kept["reason"]} == {
        "unknown episode",
        "bad date",
        "negative count",
    }
    assert set(kept["ingest_day"]) == {date.today().isoformat()}
    assert tables.quarantine(since="2999-01-01").empty


def test_the_decisions_command_lists_decisions_verdicts_and_quarantine(
    world, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from commands.cli import main

    two_ingests(world, monkeypatch)
    world["catalog"].decisions().record(
        [
            Decision(
                "2026-12-03T10:00:00+00:00",
                "retire",
                "revenge-0001-01",
                "revenge-0001",
                "revenge",
                "renewal rule",
                "revenge-0001 completes 10.0% at revenge-0001-01",
                1.0,
            )
        ]
    )
    capsys.readouterr()
    assert main(["audience", "decisions", "--since", "2026-12-01"]) == 0
    out, err = capsys.readouterr()
    listed = json.loads(out.strip().splitlines()[-1])
    assert [d["kind"] for d in listed["decisions"]] == ["retire"]
    assert len({row["ingest"] for row in listed["quarantined"]}) == 2
    assert "unknown episode" in err and "negative count" in err and "retire" in err


def test_a_bad_feed_s_cli_run_ends_with_the_file_and_the_column(
    world, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture, tmp_path: Path
) -> None:
    from commands.cli import main

    materialize_all_templates(world)
    catalogued(world, ["revenge-0001-01"])
    row = export_row("2026-12-01", "revenge-0001-01", 400, 100)
    del row["plays"]
    feed = feed_of(world, [row], "no-plays.csv")
    monkeypatch.setenv("MICRODRAMA_ENGAGEMENT", str(feed))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    capfd.readouterr()
    assert main(["audience", "update"]) == 1
    _, err = capfd.readouterr()
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and str(feed) in last and "missing column(s) plays" in last
    assert "DagsterExecutionStepExecutionError" not in last
