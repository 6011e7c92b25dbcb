"""The microdrama code location: `dagster dev -w workspace.yaml` loads `defs` from here."""

import dagster as dg

from assets import ALL_ASSETS, JOBS
from resources import default_resources
from sensors import SCHEDULES, SENSORS

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=JOBS,
    sensors=SENSORS,
    schedules=SCHEDULES,
    resources=default_resources(),
)
