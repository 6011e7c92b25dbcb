"""A real cluster for the tests on this machine: Redis, Postgres, and Celery workers started as
subprocesses with `microdrama worker`, each stopped by its process id."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import redis
from services import BIN, REPO, stop, wait_for

from bench.postgres import scratch_database

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_PORT = 6379
SHORT = Path(__file__).parent / "fixtures" / "short-revenge.yaml"


@contextmanager
def redis_server() -> Iterator[None]:
    """Redis on 127.0.0.1:6379: the machine's own where it runs, else one started here."""
    client = redis.Redis(port=REDIS_PORT, socket_connect_timeout=2)
    try:
        client.ping()
        yield
        return
    except redis.ConnectionError:
        pass
    server = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for("redis-server", lambda: _pings(client), 30, every=0.5)
        yield
    finally:
        stop(server, 10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@contextmanager
def cluster_env(tmp_path: Path, **extra: str) -> Iterator[dict[str, str]]:
    """The settings of a fresh cluster: its own Postgres database, Redis databases, media root
    and DAGSTER_HOME holding deploy/cluster/dagster.yaml; a short template to keep runs short."""
    with redis_server(), scratch_database("microdrama_cluster", **POSTGRES) as database:
        broker_db, backend_db = 8 + uuid.uuid4().int % 4, 12 + uuid.uuid4().int % 4
        for db in (broker_db, backend_db):
            redis.Redis(port=REDIS_PORT, db=db).flushdb()
        home, templates = tmp_path / "dagster_home", tmp_path / "templates"
        home.mkdir()
        shutil.copy(REPO / "deploy" / "cluster" / "dagster.yaml", home)
        for folder in ("phrasebook", "policy", "music"):
            shutil.copytree(REPO / "templates" / folder, templates / folder)
        shutil.copy(SHORT, templates)
        yield {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": POSTGRES["host"],
            "DAGSTER_PG_PORT": str(POSTGRES["port"]),
            "DAGSTER_PG_USER": POSTGRES["user"],
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": database,
            "MICRODRAMA_EXECUTOR": "celery",
            "MICRODRAMA_BROKER": f"redis://127.0.0.1:{REDIS_PORT}/{broker_db}",
            "MICRODRAMA_RESULT_BACKEND": f"redis://127.0.0.1:{REDIS_PORT}/{backend_db}",
            "MICRODRAMA_TEMPLATES": str(templates),
            "MICRODRAMA_STORAGE": str(tmp_path / "storage"),
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
            env={**os.environ, **self.env},
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


def render(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.Popen:
    """`microdrama render ...` as its own process, configured by `env` alone."""
    return subprocess.Popen(
        [str(BIN / "microdrama"), "render", *args],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen, timeout: float = 900) -> str:
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process, 10)
        raise
    assert process.returncode == 0, out[-4000:]
    return out


def step_workers(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """Step key -> the Celery worker that ran it, as the run's engine events record it."""
    ran = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or not event.is_engine_event or event.step_key is None:
            continue
        data = event.engine_event_data.metadata if event.engine_event_data else {}
        worker = data.get("Celery worker")
        if worker is not None:
            ran[event.step_key] = worker.value.split("@")[0]
    return ran
