"""The microdrama code location: `dagster dev -w workspace.yaml` loads `defs` from here.

By default a run executes its steps in one process: an episode's steps are mostly sequential,
and a process per step would spend seconds re-importing the code location for each of them.
MICRODRAMA_EXECUTOR=celery sends them to the cluster's Celery workers (model steps to `gpu`, the
rest to `cpu`), and k8s runs each step in its own pod (resources/executors.py).
"""

from collections.abc import Mapping

import dagster as dg

from assets import ALL_ASSETS, JOBS
from resources import default_resources
from resources.config import cluster_settings, value
from resources.executors import step_executor
from sensors import SCHEDULES, SENSORS, schedules_from


def build_defs(env: Mapping[str, str] | None = None) -> dg.Definitions:
    """The code location, configured from the environment or, given, from `env`'s settings
    (a benchmark's own storage and templates, say)."""
    return dg.Definitions(
        assets=ALL_ASSETS,
        jobs=JOBS,
        sensors=SENSORS,
        schedules=SCHEDULES if env is None else schedules_from(value("MICRODRAMA_SCHEDULES", env)),
        resources=default_resources(env),
        executor=step_executor(value("MICRODRAMA_EXECUTOR", env), cluster_settings(env)),
    )


defs = build_defs()


def job_named(name: str) -> dg.JobDefinition:
    """A job of the code location by name: how a cluster worker rebuilds a run's job."""
    return defs.resolve_job_def(name)
