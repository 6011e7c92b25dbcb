"""Where a run's steps execute: in the run's own process, on Celery workers, or as pods.

`in_process` (the default) runs an episode's mostly sequential steps in one process. `celery`
sends each step to a queue on a Redis broker (dagster-celery): model steps to `gpu`, the rest
to `cpu`, where long-lived workers keep their models loaded between steps and runs. `k8s` runs
each step as its own pod (dagster-k8s), for clusters that have Kubernetes.
"""

from __future__ import annotations

import time
from typing import Any

import dagster as dg
from dagster_celery.executor import CELERY_CONFIG, CeleryExecutor, _submit_task
from dagster_celery.tags import DAGSTER_CELERY_QUEUE_TAG

from resources.config import ClusterSettings

EXECUTORS = ("in_process", "celery", "k8s")
GPU_QUEUE, CPU_QUEUE = "gpu", "cpu"


class UnservedQueueError(RuntimeError):
    """No worker took a step from its queue in time (none serves it, or the broker lost it)."""


def celery_app_settings(broker: str, backend: str, visibility_timeout: int) -> dict[str, Any]:
    """The Celery settings the executor and every worker share.

    A step is acknowledged only when it has finished (`task_acks_late`), and a worker that dies
    in the middle of one hands it back to the queue (`task_reject_on_worker_lost`), so another
    worker runs it again. That is safe because every stage builds its artifact aside and swaps
    it in whole, and catalog rows are upserts keyed by episode: a half-made step leaves nothing.
    Dagster's own step retries would not help here: a killed worker never reports a failure.
    """
    return {
        "broker": broker,
        "backend": backend,
        "include": [],
        "config_source": {
            "task_default_queue": CPU_QUEUE,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "task_track_started": True,  # PENDING means no worker has taken the step yet
            "worker_prefetch_multiplier": 1,  # a worker holds no step it is not running
            "broker_connection_retry_on_startup": True,
            # a message taken by a worker that vanished whole (its host died) is handed out
            # again after this many seconds: longer than any one step
            "broker_transport_options": {"visibility_timeout": visibility_timeout},
            "result_expires": 24 * 3600,
            # events for Flower, the Celery monitor: which worker runs which step, and when
            "worker_send_task_events": True,
            "task_send_sent_event": True,
        },
    }


class WatchedStep:
    """A step's Celery result that turns into a failure when no worker has taken the step
    within `timeout` seconds, rather than leaving the run waiting forever."""

    def __init__(self, result: Any, queue: str, step_key: str, timeout: float) -> None:
        self.result, self.queue, self.step_key, self.timeout = result, queue, step_key, timeout
        self.sent = time.monotonic()

    def _unserved(self) -> bool:
        waited = time.monotonic() - self.sent
        return waited > self.timeout and self.result.state == "PENDING"

    def ready(self) -> bool:
        return self.result.ready() or self._unserved()

    def get(self) -> Any:
        if not self.result.ready() and self._unserved():
            self.result.revoke()
            raise UnservedQueueError(
                f'step "{self.step_key}" waited {self.timeout:.0f}s and no worker took it from '
                f'queue "{self.queue}": start one (`microdrama worker --queue {self.queue}`) '
                "and re-execute the run from failure"
            )
        return self.result.get()

    def revoke(self) -> None:
        self.result.revoke()


class ClusterExecutor(CeleryExecutor):
    """dagster-celery's executor, with a bounded wait for a worker to take each step."""

    def __init__(self, queue_timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue_timeout = queue_timeout

    def execute(self, plan_context: Any, execution_plan: Any) -> Any:
        from dagster_celery.core_execution_loop import core_celery_execution_loop

        def submit(app: Any, context: Any, step: Any, queue: str, priority: int, known: Any):
            result = _submit_task(app, context, step, queue, priority, known)
            return WatchedStep(result, queue, step.key, self.queue_timeout)

        return core_celery_execution_loop(plan_context, execution_plan, step_execution_fn=submit)


@dg.executor(
    name="celery",
    config_schema={
        **CELERY_CONFIG,
        "queue_timeout": dg.Field(
            float, default_value=1800.0, description="seconds a step may wait for a worker"
        ),
    },
    requirements=dg.multiple_process_executor_requirements(),
)
def cluster_executor(init_context: dg.InitExecutorContext) -> ClusterExecutor:
    from dagster._core.execution.retries import RetryMode

    config = init_context.executor_config
    return ClusterExecutor(
        queue_timeout=config["queue_timeout"],
        broker=config.get("broker"),
        backend=config.get("backend"),
        config_source=config.get("config_source"),
        include=config.get("include"),
        retries=RetryMode.from_config(config["retries"]),
    )


def step_executor(kind: str, cluster: ClusterSettings) -> dg.ExecutorDefinition:
    """The executor `kind` names (one of EXECUTORS); `celery` configured from `cluster`."""
    if kind == "celery":
        settings = celery_app_settings(cluster.broker, cluster.backend, cluster.visibility_timeout)
        return cluster_executor.configured({**settings, "queue_timeout": cluster.queue_timeout})
    if kind == "k8s":
        from dagster_k8s import k8s_job_executor  # in the image's `k8s` extra

        return k8s_job_executor
    if kind != "in_process":
        raise ValueError(f"MICRODRAMA_EXECUTOR={kind!r}: use one of {', '.join(EXECUTORS)}")
    return dg.in_process_executor


def queue_tags(runs_a_model: bool) -> dict[str, str]:
    """The Celery queue a step goes to on the cluster profile (ignored by the other executors)."""
    return {DAGSTER_CELERY_QUEUE_TAG: GPU_QUEUE if runs_a_model else CPU_QUEUE}
