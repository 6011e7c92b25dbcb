"""`microdrama bench --audience`: the closed loop on simulated markets, three policies apart.

For each of MARKETS seeded markets and each policy, RELEASES pilot decisions are made in days
of PER_DAY: each draws CANDIDATES concepts from the real concept library and picks one; the
market's engagement for the day's episodes comes in as daily figures (no video) and the
Thompson policy's model absorbs it before the next day. Every policy sees the same candidate
sets. Per policy: `top_decile_share` (share of the last 100 releases whose concept is in the
top 10 % of the candidate pool by the market's hidden value), `regret` (expected completions
lost against an oracle that knows the market and picks the best candidate) and
`regret_vs_uniform`, and `releases_to_half` (the releases made before the first day on which
at least half of the day's releases were top-decile concepts; RELEASES where none was).

Series economics: on markets whose follow-ups have a quality of their own (FOLLOWUP_SPREAD),
pilots by the Thompson policy and follow-ups by a renewal rule, SERIES_DAYS days long. Per
rule: the follow-ups made and `followups_on_winning_series` (the share of them that belong to
series whose follow-ups are in the top decile of the run's series by true completion), for
the rule that judges the newest episode (renewal.verdicts) against today's series-average
rule.
Prints a table and, as its last line, one JSON object.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from microdrama.audience import market as sim
from microdrama.audience.features import ConceptFeatures, Vocabulary
from microdrama.audience.feed import STARTS
from microdrama.audience.model import AudienceModel, evidence
from microdrama.audience.policy import Choice, thompson, trend_heat, uniform
from microdrama.audience.renewal import RETIRE_BELOW, Verdict, genre_medians, series_figures
from microdrama.audience.renewal import verdicts as newest_episode_verdicts
from microdrama.audience.tables import EPISODE_COLUMNS, fold_episodes
from microdrama.catalog.rows import concept_columns
from microdrama.concepts.library import load_library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey

REPO = Path(__file__).resolve().parent.parent
MARKETS = 20
RELEASES = 500
PER_DAY = 20
CANDIDATES = 30
POOL_PER_GENRE = 300
LOCALES = ("en", "es", "pt-BR", "zh-CN")
START = date(2026, 1, 1)
POLICIES = ("thompson", "trend_heat", "uniform")
SERIES_DAYS = 15
FOLLOWUP_SPREAD = 0.6  # logits: a series' follow-ups are about as far from its pilot as pilots
RULES = ("newest_episode", "series_average")
# expected plays of one episode over its life, every locale and platform together
LIFETIME_PLAYS = (
    (sim.REACH * sim.PLAY_RATE * sum(sim.FADE**a for a in range(sim.LIFETIME_DAYS)))
    * len(LOCALES)
    * len(sim.PLATFORMS)
)


def concept_pool(seed: int = 0, per_genre: int = POOL_PER_GENRE) -> list[dict]:
    """Pilot concepts across every concept genre: each a catalog-like row (genre, series and
    the concept columns), drawn with the sampler the premise asset runs."""
    library = load_library(REPO / "templates" / "concepts")
    space = ConceptSpace(library)
    rng = random.Random(seed)
    pool = []
    for genre in sorted(library.genres):
        combos = space.combos(genre)
        for series in range(1, per_genre + 1):
            key = EpisodeKey(genre, series, 1)
            concept = space.pilot(key, draw_bible(library, key), combos[rng.randrange(len(combos))])
            pool.append({"genre": genre, **concept_columns(concept.to_dict())})
    return pool


def released_row(n: int, row: dict, day: date, number: int = 1) -> dict:
    """Episode `number` of series n + 1 of the row's genre, released on `day`."""
    key = EpisodeKey(row["genre"], n + 1, number)
    return {**row, "key": str(key), "series": key.series_id, "day": day.isoformat()}


def engagement_of(
    market: sim.Market,
    released: list[dict],
    day: date,
    out: dict[str, str] | None = None,
    unreported: dict[tuple, int] | None = None,
) -> pd.DataFrame:
    """The day's figures for every episode still earning. With `out` (key -> release day of
    every episode) next-episode starts are reported as a platform attributes them: NaN until
    the next episode is out, then every start so far on its first day, then the day's;
    `unreported` carries the starts drawn before that."""
    rows = []
    for episode in released:
        age = (day - date.fromisoformat(episode["day"])).days
        if age >= sim.LIFETIME_DAYS:
            continue
        concept = ConceptFeatures.of_row(episode)
        following = str(EpisodeKey.parse(episode["key"]).next())
        followed = out is not None and out.get(following, "9999") <= day.isoformat()
        for locale in LOCALES:
            for platform in sim.PLATFORMS:
                counts = market.day_counts(
                    episode["key"], concept, locale, platform, age, day.isoformat()
                )
                held = (episode["key"], locale, platform)
                if unreported is not None and not followed:
                    unreported[held] = unreported.get(held, 0) + counts[STARTS]
                starts = counts[STARTS] + (unreported or {}).pop(held, 0) if followed else np.nan
                rows.append(
                    {
                        "day": day.isoformat(),
                        "episode": episode["key"],
                        "locale": locale,
                        **counts,
                        STARTS: starts,
                    }
                )
    return pd.DataFrame(rows)


def top_decile_days(flags: np.ndarray) -> int:
    """Releases made before the first day on which half of the day's releases were top-decile
    concepts; all of them where no day was."""
    days = flags.reshape(-1, PER_DAY).mean(axis=1)
    first = next((d for d, share in enumerate(days) if share >= 0.5), len(days))
    return first * PER_DAY


def run(seed: int, policy: str, pool: list[dict], vocabulary: Vocabulary) -> dict[str, float]:
    market = sim.Market(seed)
    features = [ConceptFeatures.of_row(row) for row in pool]
    value = np.array([market.value(f, LOCALES) for f in features])
    top = float(np.quantile(value, 0.9))
    heat = dict(
        zip(
            sorted({r["genre"] for r in pool}),
            np.random.default_rng(seed).dirichlet(np.ones(len({r["genre"] for r in pool}))),
            strict=True,
        )
    )
    offers = np.random.default_rng([seed, 1])  # the same candidate sets for every policy
    rng = np.random.default_rng([seed, 2])
    model = AudienceModel.prior(vocabulary, seed=seed)
    released: list[dict] = []
    chosen, best, batch = [], [], []
    for n in range(RELEASES):
        day = START + timedelta(days=n // PER_DAY)
        offered = offers.choice(len(pool), CANDIDATES, replace=False)
        options = [features[i] for i in offered]
        if policy == "thompson":
            choice: Choice = thompson(model, options, rng, batch=batch[-PER_DAY:])
        elif policy == "trend_heat":
            choice = trend_heat(options, heat, rng)
        else:
            choice = uniform(options, rng)
        pick = int(offered[choice.index])
        batch.append(features[pick])
        chosen.append(value[pick])
        best.append(value[offered].max())
        released.append(released_row(n, pool[pick], day))
        if policy == "thompson" and (n + 1) % PER_DAY == 0:
            model.update(evidence(engagement_of(market, released, day), pd.DataFrame(released)))
    chosen_arr, best_arr = np.array(chosen), np.array(best)
    return {
        "top_decile_share": float((chosen_arr[-100:] >= top).mean()),
        "regret": float(((best_arr - chosen_arr) * LIFETIME_PLAYS).sum()),
        "releases_to_half": top_decile_days(chosen_arr >= top),
    }


def series_average_verdicts(
    episodes: pd.DataFrame, status: dict[str, str], decided: set[str]
) -> list[Verdict]:
    """Today's rule, kept to measure against: renew while the series' plays-weighted
    completion beats its genre's median; retire only a pilot under RETIRE_BELOW of it."""
    medians = genre_medians(episodes)
    found = []
    for row in series_figures(episodes).itertuples():
        median = medians.get(row.genre)
        if median is None or pd.isna(row.newest) or row.newest in decided:
            continue
        if status.get(row.series) == "retired":
            continue
        if row.rate > median:
            found.append(Verdict(row.series, row.genre, "renew", row.newest, row.rate, median))
        elif row.number == 1 and row.rate < RETIRE_BELOW * median:
            found.append(Verdict(row.series, row.genre, "retire", row.newest, row.rate, median))
    return found


def series_run(seed: int, rule: str, pool: list[dict], vocabulary: Vocabulary) -> dict:
    """Pilots by the Thompson policy (PER_DAY a day) and follow-ups by `rule` (each renewal
    releases the next episode the day after) on a market whose follow-ups differ from their
    pilot; the share of follow-ups made on series whose follow-ups are in the top decile of
    the run's series (a rule that knew the market would score 1, renewing at random 0.1)."""
    market = sim.Market(seed, followup_spread=FOLLOWUP_SPREAD)
    features = [ConceptFeatures.of_row(row) for row in pool]
    judge = newest_episode_verdicts if rule == "newest_episode" else series_average_verdicts
    offers = np.random.default_rng([seed, 1])
    rng = np.random.default_rng([seed, 2])
    model = AudienceModel.prior(vocabulary, seed=seed)
    released: list[dict] = []
    out: dict[str, str] = {}
    unreported: dict[tuple, int] = {}
    by_key: dict[str, dict] = {}
    episodes = pd.DataFrame(columns=EPISODE_COLUMNS)
    status: dict[str, str] = {}
    decided: set[str] = set()
    ordered: list[dict] = []
    followups: list[str] = []  # the series of each follow-up made
    worth_of: dict[str, float] = {}  # series -> what its follow-ups are worth
    for d in range(SERIES_DAYS):
        day = START + timedelta(days=d)
        batch = []
        for row in ordered:  # renewed yesterday: the next episode comes out today
            key = EpisodeKey.parse(row["key"]).next()
            made = {**row, "key": str(key), "day": day.isoformat()}
            released.append(made)
            out[made["key"]] = made["day"]
            by_key[made["key"]] = made
            followups.append(made["series"])
        ordered = []
        for _ in range(PER_DAY):
            offered = offers.choice(len(pool), CANDIDATES, replace=False)
            choice = thompson(model, [features[i] for i in offered], rng, batch=batch)
            pick = int(offered[choice.index])
            batch.append(features[pick])
            row = {**released_row(len(out), pool[pick], day), "pool": pick}
            released.append(row)
            by_key[row["key"]] = row
            out[row["key"]] = row["day"]
            second = str(EpisodeKey.parse(row["key"]).next())
            worth_of[row["series"]] = worth(market, features[pick], market.followup(second))
        figures = engagement_of(market, released, day, out, unreported)
        rows = evidence(figures, pd.DataFrame(released))
        model.update(rows)
        episodes = fold_episodes(episodes, rows)
        for verdict in judge(episodes, status, decided):
            decided.add(verdict.key)
            status[verdict.series] = "renewed" if verdict.kind == "renew" else "retired"
            if verdict.kind == "renew":
                ordered.append(by_key[verdict.key])
    top = float(np.quantile(list(worth_of.values()), 0.9))
    made = np.array([worth_of[series] >= top for series in followups], dtype=bool)
    return {
        "followups": int(made.size),
        "followups_on_winning_series": float(made.mean()) if made.size else 0.0,
    }


def worth(market: sim.Market, concept: ConceptFeatures, offset: float) -> float:
    """A follow-up's true completion rate over the locales: its concept and its series' offset."""
    logits = [np.log(r / (1 - r)) + offset for r in (market.rate(concept, loc) for loc in LOCALES)]
    return float(np.mean(1 / (1 + np.exp(-np.array(logits)))))


def update_seconds(pool: list[dict], vocabulary: Vocabulary, rows: int = 10_000) -> float:
    """One model update at `rows` evidence rows (episode x locale x day)."""
    market = sim.Market(0)
    released = [released_row(n, pool[n % len(pool)], START) for n in range(rows // 4)]
    frame = engagement_of(market, released[: rows // (4 * 2)], START)
    frame = pd.concat([frame, frame.assign(day=(START + timedelta(days=1)).isoformat())])
    found = evidence(frame, pd.DataFrame(released)).head(rows)
    model = AudienceModel.prior(vocabulary)
    started = time.perf_counter()
    model.update(found)
    return time.perf_counter() - started


def main(markets: int = MARKETS) -> int:
    threadpool_limits(1)  # small matrices: BLAS threads only wait on each other
    pool = concept_pool()
    library = load_library(REPO / "templates" / "concepts")
    vocabulary = Vocabulary.of(library, LOCALES)
    results: dict[str, list[dict[str, float]]] = {p: [] for p in POLICIES}
    series: dict[str, list[dict]] = {r: [] for r in RULES}
    for seed in range(markets):
        for policy in POLICIES:
            results[policy].append(run(seed, policy, pool, vocabulary))
        for rule in RULES:
            series[rule].append(series_run(seed, rule, pool, vocabulary))
        print(
            f"market {seed}: "
            + ", ".join(f"{p} {results[p][-1]['top_decile_share']:.2f}" for p in POLICIES)
            + f", releases to half {results['thompson'][-1]['releases_to_half']}, follow-ups on "
            + "winning series "
            + ", ".join(f"{r} {series[r][-1]['followups_on_winning_series']:.2f}" for r in RULES),
            flush=True,
        )
    summary = {}
    for policy in POLICIES:
        ratios = [
            r["regret"] / u["regret"]
            for r, u in zip(results[policy], results["uniform"], strict=True)
        ]
        summary[policy] = {
            "top_decile_share": round(
                statistics.fmean(r["top_decile_share"] for r in results[policy]), 3
            ),
            "regret": round(statistics.fmean(r["regret"] for r in results[policy])),
            "regret_vs_uniform": round(statistics.fmean(ratios), 3),
            "releases_to_half": round(
                statistics.fmean(r["releases_to_half"] for r in results[policy]), 1
            ),
        }
    economics = {
        rule: {
            "followups": round(statistics.fmean(r["followups"] for r in series[rule]), 1),
            "followups_on_winning_series": round(
                statistics.fmean(r["followups_on_winning_series"] for r in series[rule]), 3
            ),
        }
        for rule in RULES
    }
    seconds = update_seconds(pool, vocabulary)
    print(f"\n{markets} markets x {RELEASES} releases, {CANDIDATES} candidates per decision")
    print(
        f"{'policy':<12} {'top decile share':>17} {'regret':>12} {'vs uniform':>11} "
        f"{'releases to half':>17}"
    )
    for policy, figures in summary.items():
        print(
            f"{policy:<12} {figures['top_decile_share']:>17.3f} {figures['regret']:>12,} "
            f"{figures['regret_vs_uniform']:>11.3f} {figures['releases_to_half']:>17.1f}"
        )
    print(
        f"\nseries economics: {SERIES_DAYS} days, follow-ups {FOLLOWUP_SPREAD} logits from "
        "their pilot"
    )
    print(f"{'renewal rule':<16} {'follow-ups':>11} {'on winning series':>18}")
    for rule, figures in economics.items():
        print(
            f"{rule:<16} {figures['followups']:>11.1f} "
            f"{figures['followups_on_winning_series']:>18.3f}"
        )
    print(f"model update at 10,000 engagement rows: {seconds:.3f} s")
    print(
        json.dumps(
            {
                "policies": summary,
                "series_economics": economics,
                "model_update_seconds": round(seconds, 4),
            }
        )
    )
    return 0
