"""The microdrama code location: `dagster dev -w workspace.yaml` loads `defs` from here.

Runs execute their steps in one process: an episode's steps are mostly sequential, and a
process per step would spend seconds re-importing the code location for each of them. On
Kubernetes, MICRODRAMA_EXECUTOR=k8s runs each step in its own pod instead, so steps tagged for
GPU nodes land there and the rest on CPU nodes.
"""

import os

import dagster as dg

from assets import ALL_ASSETS, JOBS
from resources import default_resources
from sensors import SCHEDULES, SENSORS


def executor() -> dg.ExecutorDefinition:
    if os.environ.get("MICRODRAMA_EXECUTOR", "in_process") == "k8s":
        from dagster_k8s import k8s_job_executor  # in the image's `k8s` extra

        return k8s_job_executor
    return dg.in_process_executor


defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=JOBS,
    sensors=SENSORS,
    schedules=SCHEDULES,
    resources=default_resources(),
    executor=executor(),
)
