"""Always on, for real: dagster-daemon and dagster-webserver on 127.0.0.1, a temp DAGSTER_HOME.

Editing one template regenerates exactly that genre's episodes; `microdrama backfill` then
completes a genre backfill through the webserver. Every wait is bounded; every process started
here is stopped.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from bench.services import REPO, dagster_services, wait_for
from commands.cli import main
from operations.backfill import graphql, launch_backfill
from operations.render import render

SHORT = Path(__file__).parent / "fixtures" / "short-revenge.yaml"


@pytest.fixture()
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    home, templates = tmp_path / "dagster_home", tmp_path / "templates"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home)
    shutil.copytree(REPO / "templates" / "phrasebook", templates / "phrasebook")
    shutil.copy(SHORT, templates)
    twin = SHORT.read_text().replace("genre: short-revenge", "genre: short-twin")
    (templates / "short-twin.yaml").write_text(twin)
    env = {
        "DAGSTER_HOME": str(home),
        "MICRODRAMA_TEMPLATES": str(templates),
        "MICRODRAMA_STORAGE": str(tmp_path / "storage"),
        "MICRODRAMA_TRENDS": str(REPO / "data" / "trends.csv"),
        "MICRODRAMA_LOCALES": "en,es",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for genre in ("short-revenge", "short-twin"):
        render(genre, None, seed=5)
    with dagster_services(env, tmp_path / "logs") as url, dg.DagsterInstance.get() as instance:
        yield {"url": url, "templates": templates, "instance": instance}


def runs(instance: dg.DagsterInstance, **tags: str) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(tags=tags)))


LINEAGE_QUERY = """
{ assetNodes { assetKey { path } dependencyKeys { path } assetChecksOrError {
    ... on AssetChecks { checks { name blocking } } } } }
"""


def test_template_edit_regenerates_one_genre_then_backfill(deployment: dict) -> None:
    nodes = graphql(deployment["url"], LINEAGE_QUERY)["assetNodes"]
    parents = {
        n["assetKey"]["path"][-1]: {d["path"][-1] for d in n["dependencyKeys"]} for n in nodes
    }
    assert parents["script"] == {"premise"}
    assert parents["frames"] == parents["voice"] == {"script"}
    assert parents["motion"] == {"frames", "voice"}
    assert parents["cut"] == {"frames", "voice", "motion"}
    assert parents["music"] == {"cut"}
    assert parents["localized"] == {"cut", "voice", "music"}
    assert parents["premise"] == {"release"}
    assert parents["catalog"] == {"localized"}
    assert parents["gallery"] == {"catalog"}
    checks = {
        n["assetKey"]["path"][-1]: n["assetChecksOrError"]["checks"]
        for n in nodes
        if n["assetChecksOrError"].get("checks")
    }
    assert {c["name"] for c in checks["cut"]} == {
        "encoding",
        "duration",
        "segments",
        "moving",
        "provenance",
    }
    assert {c["name"] for c in checks["localized"]} >= {"loudness", "package", "burned_in"}
    assert all(c["blocking"] != (c["name"] == "all_locales") for v in checks.values() for c in v)

    instance = deployment["instance"]
    succeeded = dg.DagsterRunStatus.SUCCESS

    def sensor_validated_both() -> bool:
        done = [
            r
            for r in runs(instance, **{"dagster/sensor_name": "template_sensor"})
            if r.job_name == "templates_job" and r.status == succeeded
        ]
        return len(done) >= 2

    wait_for("the template sensor's first tick", sensor_validated_both, 180)

    path = deployment["templates"] / "short-revenge.yaml"
    path.write_text(path.read_text().replace("smiles", "smiles coldly"))

    def regenerated() -> list[dg.DagsterRun]:
        found = runs(instance, **{"microdrama/reason": "template changed"})
        return found if found and all(r.status == succeeded for r in found) else []

    done = wait_for("the regenerated episode", regenerated, 300)
    assert {r.tags["dagster/partition"] for r in done} == {"short-revenge-0001-01"}
    failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
    assert failed == []

    url = deployment["url"]
    assert main(["backfill", "--genre", "short-twin", "--episodes", "2", "--url", url]) == 0
    new = instance.get_backfills()[0].backfill_id
    wait_for("the new pilots", lambda: finished(instance, new), 400)
    assert instance.get_backfill(new).status.value == "COMPLETED_SUCCESS"
    materialized = instance.get_materialized_partitions(dg.AssetKey("gallery"))
    assert {"short-twin-0002-01", "short-twin-0003-01"} <= materialized

    # a genre, or a series, is exactly its own live keys (short-revenge-* is not short-twin-*)
    _, genre = launch_backfill(url, genre="short-twin")
    assert genre == [f"short-twin-000{n}-01" for n in (1, 2, 3)]
    _, series = launch_backfill(url, series="short-revenge-0001")
    assert series == ["short-revenge-0001-01"]


def finished(instance: dg.DagsterInstance, backfill_id: str) -> bool:
    return instance.get_backfill(backfill_id).status.value != "REQUESTED"
