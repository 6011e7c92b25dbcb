"""Sensors that keep the feed stocked, react to changed inputs and keep the instance small, and
the schedules the schedules file declares."""

from pathlib import Path

import dagster as dg

from resources.config import value
from sensors.audience import engagement_sensor, renewal_sensor
from sensors.cadence import release_cadence
from sensors.retention import retention_sensor
from sensors.schedule_file import load_schedule_file
from sensors.schedules import build_schedules
from sensors.templates import template_sensor
from sensors.trends import trend_sensor

SENSORS = [
    template_sensor,
    trend_sensor,
    release_cadence,
    retention_sensor,
    engagement_sensor,
    renewal_sensor,
]


def schedules_from(path: str) -> list[dg.ScheduleDefinition]:
    """The schedules of the schedules file at `path` (MICRODRAMA_SCHEDULES); a wrong file
    raises naming its file, field and reason, so the code location says why it cannot load."""
    return build_schedules(load_schedule_file(Path(path)))


SCHEDULES = schedules_from(value("MICRODRAMA_SCHEDULES"))
