"""Sensors evaluated with build_sensor_context against a real (temporary) Dagster instance."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from assets.partitions import episode_partition_key
from definitions import defs
from resources import MediaStoreResource, TemplateLibrary, TrendFeed
from sensors.cadence import release_cadence
from sensors.templates import template_sensor
from sensors.trends import trend_sensor

REPO = Path(__file__).resolve().parent.parent
SHORT = Path(__file__).parent / "fixtures" / "short-revenge.yaml"


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Templates (every shipped genre plus the short one), a feed, storage and an instance."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    shutil.copy(SHORT, templates)
    feed = tmp_path / "trends.csv"
    shutil.copy(REPO / "data" / "trends.csv", feed)
    monkeypatch.setenv("MICRODRAMA_TEMPLATES", str(templates))
    monkeypatch.setenv("MICRODRAMA_TRENDS", str(feed))
    monkeypatch.setenv("MICRODRAMA_STORAGE", str(tmp_path / "storage"))
    with dg.instance_for_test() as instance:
        yield {
            "templates": templates,
            "feed": feed,
            "storage": tmp_path / "storage",
            "instance": instance,
        }


def tick(sensor, world, cursor=None, **resources) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=world["instance"], cursor=cursor, resources=resources
    )
    result = sensor(context)
    for request in result.dynamic_partitions_requests or []:
        world["instance"].add_dynamic_partitions(
            request.partitions_def_name, list(request.partition_keys)
        )
    return result


def run(world, job: str, partition: str | None = None, **config) -> None:
    outcome = defs.resolve_job_def(job).execute_in_process(
        instance=world["instance"], partition_key=partition, run_config=config or None
    )
    assert outcome.success


def library(world) -> TemplateLibrary:
    return TemplateLibrary(directory=str(world["templates"]))


def test_template_sensor_adds_changes_and_ignores(world) -> None:
    first = tick(template_sensor, world, templates=library(world))
    genres = {r.partition_key for r in first.run_requests}
    assert "short-revenge" in genres and "revenge" in genres
    assert world["instance"].has_dynamic_partition("genre", "short-revenge")

    again = tick(template_sensor, world, first.cursor, templates=library(world))
    assert again.run_requests == [] and again.skip_reason.skip_message == "no template changed"

    for genre in ("short-revenge", "revenge"):
        run(world, "templates_job", genre)
    run(world, "trends_job")
    world["instance"].add_dynamic_partitions("episode", ["e0001", "e0002"])
    for genre, episode in (
        ("short-revenge", "e0001"),
        ("short-revenge", "e0002"),
        ("revenge", "e0001"),
    ):
        outcome = defs.resolve_job_def("episode_job").execute_in_process(
            instance=world["instance"],
            partition_key=str(episode_partition_key(genre, episode)),
            asset_selection=[dg.AssetKey("premise")],
        )
        assert outcome.success

    path = world["templates"] / "short-revenge.yaml"
    path.write_text(path.read_text().replace("title: Revenge (short)", "title: Revenge, shorter"))
    changed = tick(template_sensor, world, again.cursor, templates=library(world))
    assert [(r.job_name, r.partition_key) for r in changed.run_requests] == [
        ("templates_job", "short-revenge")
    ]

    waiting = tick(template_sensor, world, changed.cursor, templates=library(world))
    assert waiting.run_requests == []  # the template partition has not caught up yet

    run(world, "templates_job", "short-revenge")
    regenerate = tick(template_sensor, world, waiting.cursor, templates=library(world))
    assert sorted(r.partition_key for r in regenerate.run_requests) == [
        "e0001|short-revenge",
        "e0002|short-revenge",
    ]
    assert {r.job_name for r in regenerate.run_requests} == {"episode_job"}

    done = tick(template_sensor, world, regenerate.cursor, templates=library(world))
    assert done.run_requests == []


def test_broken_template_is_reported_and_skipped(world) -> None:
    first = tick(template_sensor, world, templates=library(world))
    (world["templates"] / "revenge.yaml").write_text("genre: revenge\nshot_count: many\n")
    broken = tick(template_sensor, world, first.cursor, templates=library(world))
    assert broken.run_requests == []
    assert "revenge.yaml: shot_count" in broken.skip_reason.skip_message
    (world["templates"] / "rebirth.yaml").write_text(
        (world["templates"] / "rebirth.yaml").read_text().replace("Reborn on", "Born again on")
    )
    other = tick(template_sensor, world, broken.cursor, templates=library(world))
    assert [r.partition_key for r in other.run_requests] == ["rebirth"]


def materialize_all_templates(world) -> None:
    first = tick(template_sensor, world, templates=library(world))
    for request in first.run_requests:
        run(world, "templates_job", request.partition_key)


def test_trend_sensor_mints_for_the_best_genre_and_skips_duplicates(world) -> None:
    materialize_all_templates(world)
    resources = {
        "trend_feed": TrendFeed(path=str(world["feed"])),
        "media": MediaStoreResource(root=str(world["storage"])),
    }
    first = tick(trend_sensor, world, **resources)
    assert first.run_requests[0].job_name == "trends_job"
    minted = [r for r in first.run_requests if r.job_name == "episode_job"]
    assert 1 <= len(minted) <= 3

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
    assert topics["a werewolf pack under the full moon"].endswith("|werewolf-romance")
    assert "a celebrity's divorce" not in topics  # says what "a celebrity divorce" said

    quiet = tick(trend_sensor, world, moved.cursor, **resources)
    assert quiet.run_requests == []


def test_release_cadence_mints_the_next_slot(world) -> None:
    materialize_all_templates(world)
    resources = {"media": MediaStoreResource(root=str(world["storage"]))}
    one = tick(release_cadence, world, **resources)
    two = tick(release_cadence, world, one.cursor, **resources)
    keys = [one.run_requests[0].partition_key, two.run_requests[0].partition_key]
    assert [k.split("|")[0] for k in keys] == ["e0001", "e0002"]
    assert two.cursor == "2"
    assert release_cadence.default_status == dg.DefaultSensorStatus.STOPPED
