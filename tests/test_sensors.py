"""Sensors evaluated with build_sensor_context against a real (temporary) Dagster instance."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
from conftest import tick

from definitions import defs
from microdrama.catalog.database import CatalogDB, sqlite_url
from microdrama.keys import EpisodeKey
from resources import (
    CatalogResource,
    Localization,
    TemplateLibrary,
    TrendFeed,
)
from sensors.cadence import release_cadence
from sensors.retention import retention_sensor
from sensors.templates import template_sensor
from sensors.trends import trend_sensor

REPO = Path(__file__).resolve().parent.parent


def run(world, job: str, partition: str | None = None) -> None:
    outcome = defs.resolve_job_def(job).execute_in_process(
        instance=world["instance"], partition_key=partition
    )
    assert outcome.success


def library(world) -> TemplateLibrary:
    return TemplateLibrary(directory=str(world["templates"]))


def database(world) -> CatalogDB:
    return CatalogDB(sqlite_url(world["storage"] / "tables" / "catalog.db"))


def catalogued(world, keys: list[str], status: str = "live") -> None:
    """Catalog rows (as a finished episode writes them) for `keys`, and the keys themselves."""
    rows = []
    for n, key in enumerate(keys):
        parsed = EpisodeKey.parse(key)
        rows.append(
            {
                "key": key,
                "genre": parsed.genre,
                "series": parsed.series_id,
                "episode_number": parsed.number,
                "day": "2026-12-01",
                "minted_at": f"2026-12-01T00:00:{n % 60:02d}+00:00",
                "title": f"Title {key}",
                "logline": "a logline",
                "topic": "a topic",
                "seed": n,
                "script_hash": "x",
                "shots": 5,
                "lines": 3,
                "seconds": 16.0,
                "locales": "en",
                "poster": f"episodes/{key}/cut/poster.jpg",
                "variants": json.dumps({"en": f"episodes/{key}/cut/episode.mp4"}),
                "subtitles": json.dumps({"en": f"episodes/{key}/cut/episode.vtt"}),
                "checks": json.dumps({"cut": [{"name": "encoding", "passed": True, "reason": ""}]}),
                "status": status,
                "versions": "{}",
            }
        )
    database(world).upsert(rows)
    for start in range(0, len(keys), 1000):
        world["instance"].add_dynamic_partitions("episodes", keys[start : start + 1000])


def cadence_resources(world) -> dict:
    return {
        "media": world["media"],
        "catalog": world["catalog"],
        "trend_feed": TrendFeed(path=str(world["feed"])),
        "templates": library(world),
        "localization": Localization(locales="en,es,pt-BR,zh-CN"),
    }


def materialize_all_templates(world) -> str:
    first = tick(template_sensor, world, templates=library(world), catalog=world["catalog"])
    for request in first.run_requests:
        run(world, "templates_job", request.partition_key)
    return first.cursor


def test_template_sensor_adds_changes_and_ignores(world) -> None:
    resources = {"templates": library(world), "catalog": world["catalog"]}
    first = tick(template_sensor, world, **resources)
    genres = {r.partition_key for r in first.run_requests}
    assert "short-revenge" in genres and "revenge" in genres
    assert world["instance"].has_dynamic_partition("genre", "short-revenge")

    again = tick(template_sensor, world, first.cursor, **resources)
    assert again.run_requests == [] and again.skip_reason.skip_message == "no template changed"

    for genre in ("short-revenge", "revenge"):
        run(world, "templates_job", genre)
    live = ["short-revenge-0001-01", "short-revenge-0002-01"]
    catalogued(world, [*live, "revenge-0001-01"])
    catalogued(world, ["short-revenge-0003-01"], status="archived")

    path = world["templates"] / "short-revenge.yaml"
    path.write_text(path.read_text().replace("title: Revenge (short)", "title: Revenge, shorter"))
    changed = tick(template_sensor, world, again.cursor, **resources)
    assert [(r.job_name, r.partition_key) for r in changed.run_requests] == [
        ("templates_job", "short-revenge")
    ]

    waiting = tick(template_sensor, world, changed.cursor, **resources)
    assert waiting.run_requests == []  # the template partition has not caught up yet

    run(world, "templates_job", "short-revenge")
    regenerate = tick(template_sensor, world, waiting.cursor, **resources)
    assert sorted(r.partition_key for r in regenerate.run_requests) == live  # not the archived
    assert {r.job_name for r in regenerate.run_requests} == {"episode_job"}

    done = tick(template_sensor, world, regenerate.cursor, **resources)
    assert done.run_requests == []


def test_a_template_edit_marks_exactly_its_episodes_stale(world) -> None:
    """The regenerated episodes get a new release version: that is what the UI shows stale."""
    from assets.release import latest_release, observation
    from microdrama.release import Release

    cursor = materialize_all_templates(world)
    keys = ["short-revenge-0001-01", "revenge-0001-01"]
    catalogued(world, keys)
    for key in keys:
        world["instance"].report_runless_asset_event(
            observation(Release(key, 1, "a topic", "2026-12-01T00:00:00+00:00", "test", {}))
        )
    before = {k: latest_release(world["instance"], k).version for k in keys}
    resources = {"templates": library(world), "catalog": world["catalog"]}
    path = world["templates"] / "short-revenge.yaml"
    path.write_text(path.read_text().replace("title: Revenge (short)", "title: Revenge, shorter"))
    changed = tick(template_sensor, world, cursor, **resources)
    run(world, "templates_job", "short-revenge")
    tick(template_sensor, world, changed.cursor, **resources)
    after = {k: latest_release(world["instance"], k).version for k in keys}
    assert after["short-revenge-0001-01"] != before["short-revenge-0001-01"]
    assert after["revenge-0001-01"] == before["revenge-0001-01"]


def test_broken_template_is_reported_and_skipped(world) -> None:
    resources = {"templates": library(world), "catalog": world["catalog"]}
    first = tick(template_sensor, world, **resources)
    (world["templates"] / "revenge.yaml").write_text("genre: revenge\nshot_count: many\n")
    broken = tick(template_sensor, world, first.cursor, **resources)
    assert broken.run_requests == []
    assert "revenge.yaml: shot_count" in broken.skip_reason.skip_message
    short = world["templates"] / "short-revenge.yaml"  # a fixed-format genre: its file
    short.write_text(short.read_text().replace("title: Revenge (short)", "title: Short"))
    other = tick(template_sensor, world, broken.cursor, **resources)
    assert [r.partition_key for r in other.run_requests] == ["short-revenge"]
    # a concept genre's version is its library's: a trope edit re-validates exactly the genres
    # that draw the trope
    trope = world["templates"] / "concepts" / "tropes" / "reborn-before-the-betrayal.yaml"
    trope.write_text(trope.read_text() + "# edited\n")
    edited = tick(template_sensor, world, other.cursor, **resources)
    drawing = {"rebirth", "palace-intrigue", "werewolf-romance"}
    assert {r.partition_key for r in edited.run_requests} == drawing


def test_trend_sensor_mints_pilots_for_the_best_genre_and_skips_duplicates(world) -> None:
    materialize_all_templates(world)
    resources = {
        "trend_feed": TrendFeed(path=str(world["feed"])),
        "media": world["media"],
        "catalog": world["catalog"],
    }
    first = tick(trend_sensor, world, **resources)
    assert first.run_requests[0].job_name == "trends_job"
    minted = [r for r in first.run_requests if r.job_name == "episode_job"]
    assert 1 <= len(minted) <= 3
    assert {e.partition for e in first.asset_events} == {r.partition_key for r in minted}

    with world["feed"].open("a") as feed:
        feed.write("2026-11-23T08:00:00Z,a werewolf pack under the full moon,0.99,US\n")
        feed.write("2026-11-23T08:00:00Z,a celebrity's divorce,0.97,US\n")
    moved = tick(trend_sensor, world, first.cursor, **resources)
    jobs = [r.job_name for r in moved.run_requests]
    assert jobs[0] == "trends_job"
    topics = {
        r.tags["microdrama/topic"]: r.partition_key
        for r in moved.run_requests
        if r.job_name == "episode_job"
    }
    werewolf = EpisodeKey.parse(topics["a werewolf pack under the full moon"])
    assert (werewolf.genre, werewolf.number) == ("werewolf-romance", 1)
    assert "a celebrity's divorce" not in topics  # says what "a celebrity divorce" said
    releases = {e.partition: e.metadata["release"].value for e in moved.asset_events}
    assert releases[str(werewolf)]["topic"] == "a werewolf pack under the full moon"

    quiet = tick(trend_sensor, world, moved.cursor, **resources)
    assert quiet.run_requests == []


def test_release_cadence_mints_a_new_series_each_tick_on_a_fresh_instance(world) -> None:
    resources = cadence_resources(world)
    waiting = tick(release_cadence, world, **resources)
    assert waiting.run_requests == [] and not waiting.dynamic_partitions_requests
    materialize_all_templates(world)  # the template sensor's runs; no trends table exists
    assert not (world["storage"] / "tables" / "trends.parquet").exists()
    one = tick(release_cadence, world, **resources)
    two = tick(release_cadence, world, one.cursor, **resources)
    keys = [EpisodeKey.parse(r.run_requests[0].partition_key) for r in (one, two)]
    assert all(k.number == 1 for k in keys) and keys[0] != keys[1]
    assert two.cursor == "2"
    assert world["instance"].get_dynamic_partitions("episodes") == [str(k) for k in keys]
    release = one.asset_events[0].metadata["release"].value
    assert release["key"] == str(keys[0]) and release["topic"]  # from the feed file itself
    assert release_cadence.default_status == dg.DefaultSensorStatus.STOPPED


def test_sensors_request_nothing_on_unchanged_ticks_with_thousands_of_keys(world) -> None:
    templates = materialize_all_templates(world)
    keys = [f"revenge-{n:04d}-01" for n in range(1, 3001)]
    catalogued(world, keys)
    trends = {
        "trend_feed": TrendFeed(path=str(world["feed"])),
        "media": world["media"],
        "catalog": world["catalog"],
    }
    trend_cursor = None
    for _ in range(10):  # the feed's hot topics, three a tick, until none is left
        drained = tick(trend_sensor, world, trend_cursor, **trends)
        trend_cursor = drained.cursor
        if not drained.run_requests:
            break
    for sensor, cursor, resources in (
        (template_sensor, templates, {"templates": library(world), "catalog": world["catalog"]}),
        (trend_sensor, trend_cursor, trends),
        (retention_sensor, None, {"catalog": world["catalog"], "localization": _locales()}),
    ):
        result = tick(sensor, world, cursor, **resources)
        assert result.run_requests == [], sensor.name
        assert not result.dynamic_partitions_requests and not result.asset_events, sensor.name
    assert all(k in world["instance"].get_dynamic_partitions("episodes") for k in keys)


def _locales():
    from resources import Localization

    return Localization(locales="en")


def test_retention_keeps_exactly_the_window_and_archives_the_oldest(world) -> None:
    keys = [f"revenge-{n:04d}-01" for n in range(1, 2151)]
    catalogued(world, keys)
    resources = {
        "catalog": CatalogResource(media=world["media"], retention="2000"),
        "localization": _locales(),
    }
    first = tick(retention_sensor, world, **resources)
    live = world["instance"].get_dynamic_partitions("episodes")
    assert live == keys[150:]  # exactly the window, the newest ones
    (archived,) = first.dynamic_partitions_requests
    assert list(archived.partition_keys) == keys[:150]
    rows = database(world).rows(keys=keys[:150])
    assert set(rows["status"]) == {"archived"} and len(rows) == 150  # still in the catalog
    assert set(database(world).rows(keys=keys[150:])["status"]) == {"live"}
    lineage = world["storage"] / "episodes" / "revenge" / "revenge-0001" / "revenge-0001-01"
    assert json.loads((lineage / "lineage.json").read_text())["archived"]
    page = (world["storage"] / "gallery" / "data" / "series" / "revenge-0001.js").read_text()
    assert '"status":"archived"' in page  # the gallery still shows it, marked archived
    quiet = tick(retention_sensor, world, **resources)
    assert not quiet.dynamic_partitions_requests


def test_retention_moves_a_batched_run_out_only_with_its_last_episode(world) -> None:
    from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData

    from instance.archive import archive

    keys = [f"revenge-{n:04d}-01" for n in range(1, 4)]
    catalogued(world, keys)
    instance = world["instance"]
    batch = instance.add_run(
        dg.DagsterRun(job_name="episode_job", run_id="batch", status=dg.DagsterRunStatus.SUCCESS)
    )
    for key in keys[:2]:  # one run made the first two, as a batched backfill does
        made = dg.AssetMaterialization("premise", partition=key)
        instance.report_dagster_event(
            DagsterEvent(
                DagsterEventType.ASSET_MATERIALIZATION.value,
                "episode_job",
                event_specific_data=StepMaterializationData(made),
            ),
            batch.run_id,
        )
    books = world["catalog"].catalog()

    def archived(key: str) -> None:
        request = archive(instance, books, [key], ["en"], "http://127.0.0.1:3000")
        for gone in request.partition_keys:
            instance.delete_dynamic_partition("episodes", gone)

    archived(keys[0])
    assert instance.get_run_by_id("batch") is not None  # keys[1] is still live
    assert not books.store.archived_run("batch").exists()
    archived(keys[1])
    assert instance.get_run_by_id("batch") is None
    assert books.store.archived_run("batch").exists()
    assert instance.get_materialized_partitions(dg.AssetKey("premise")) == set()
    other = dg.DagsterRun(job_name="templates_job", status=dg.DagsterRunStatus.SUCCESS)
    instance.add_run(other)
    archived(keys[2])  # no run made it: nothing else leaves the instance
    assert instance.get_run_by_id(other.run_id) is not None
