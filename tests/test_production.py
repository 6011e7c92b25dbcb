"""The production profile for real: Postgres storage, the run queue, the daemon, and a backfill
of two batches of episodes running at once, in a database created for the test and dropped after."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd
import psycopg2
import pytest

from bench.postgres import scratch_database
from bench.services import REPO, dagster_services, wait_for
from commands.cli import main

EPISODES, PER_RUN = 4, 2  # two batched runs (MICRODRAMA_EPISODES_PER_RUN): both run at once
SHORT = Path(__file__).parent / "fixtures" / "short-revenge.yaml"
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture()
def database() -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL server, dropped afterwards."""
    with scratch_database("microdrama_test", **POSTGRES) as name:
        yield name


def failure_of(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """The first step failure of a run, as the UI shows it."""
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is not None and event.is_step_failure:
            error = event.step_failure_data.error
            while error.cause is not None:  # the op's own exception, not Dagster's wrapper
                error = error.cause
            return f"{run.run_id[:8]} {event.step_key}: {error.message} {error.stack[-1:]}"
    return f"{run.run_id[:8]} {run.status.value}"


def test_production_profile_backfills_a_genre_with_concurrent_runs(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, templates = tmp_path / "dagster_home", tmp_path / "templates"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home)
    for folder in ("phrasebook", "policy"):
        shutil.copytree(REPO / "templates" / folder, templates / folder)
    shutil.copy(SHORT, templates)
    env = {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": POSTGRES["host"],
        "DAGSTER_PG_PORT": str(POSTGRES["port"]),
        "DAGSTER_PG_USER": POSTGRES["user"],
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_DB": database,
        "MICRODRAMA_TEMPLATES": str(templates),
        "MICRODRAMA_STORAGE": str(tmp_path / "storage"),
        "MICRODRAMA_TRENDS": str(REPO / "data" / "trends.csv"),
        # the source locale only: this test is about storage, the queue and concurrent runs;
        # every locale's variant is rendered and checked by test_render
        "MICRODRAMA_LOCALES": "en",
        "MICRODRAMA_EPISODES_PER_RUN": str(PER_RUN),  # read by the daemon's code server
        "MICRODRAMA_CATALOG_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from definitions import defs

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        for job, partition in (("templates_job", "short-revenge"), ("trends_job", None)):
            instance.add_dynamic_partitions("genre", ["short-revenge"])
            outcome = defs.resolve_job_def(job).execute_in_process(
                instance=instance, partition_key=partition
            )
            assert outcome.success

        with dagster_services(env, tmp_path / "logs") as url:
            command = ["backfill", "--genre", "short-revenge", "--episodes", str(EPISODES)]
            assert main([*command, "--url", url]) == 0
            backfill_id = instance.get_backfills()[0].backfill_id
            most_at_once = 0

            def finished() -> bool:
                nonlocal most_at_once
                started = dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])
                most_at_once = max(most_at_once, instance.get_runs_count(filters=started))
                return instance.get_backfill(backfill_id).status.value != "REQUESTED"

            wait_for(f"a backfill of {EPISODES} episodes", finished, 900, every=1)
            # read while the services run: stopping them interrupts their code servers, and
            # a KeyboardInterrupt traceback at shutdown is not a failure of the backfill
            logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("*.log"))

        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        failures = [
            failure_of(instance, r) for r in runs if r.status != dg.DagsterRunStatus.SUCCESS
        ]
        assert instance.get_backfill(backfill_id).status.value == "COMPLETED_SUCCESS", failures
        # the episode assets batch partitions (BackfillPolicy.multi_run): one run per batch
        assert len(runs) == -(-EPISODES // PER_RUN)
        assert all(r.tags["dagster/asset_partition_range_start"] for r in runs)
        assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
        assert most_at_once >= 2, "the queue never ran two batches at once"

    catalog = pd.read_parquet(tmp_path / "storage" / "tables" / "catalog")
    expected = [f"short-revenge-{n:04d}-01" for n in range(1, EPISODES + 1)]
    assert sorted(catalog["key"]) == expected
    with psycopg2.connect(dbname=database, **POSTGRES) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT key FROM catalog ORDER BY key")  # the same rows, in Postgres
        assert [key for (key,) in cursor.fetchall()] == expected
    for problem in ("database is locked", "OperationalError", "Traceback"):
        assert problem not in logs
