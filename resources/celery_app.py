"""The Celery app of the cluster's workers: `celery -A resources.celery_app worker -Q gpu`.

`microdrama worker --queue gpu` starts one with the right options. Importing this module marks
the process as a worker, whose models stay loaded from one step and run to the next within
MICRODRAMA_MODEL_MEMORY (the in-process executor releases them when a run ends).
"""

from __future__ import annotations

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from microdrama.models.device import MODELS
from resources.config import cluster_settings, model_memory_bytes
from resources.executors import celery_app_settings

settings = cluster_settings()
app = make_app(
    CeleryExecutor.for_cli(
        **celery_app_settings(settings.broker, settings.backend, settings.visibility_timeout)
    ).app_args()
)
execute_plan = create_task(app)

MODELS.keep_between_runs = True
MODELS.budget_bytes = model_memory_bytes()
