"""Sensors that keep the feed stocked, react to changed inputs and keep the instance small."""

from sensors.audience import engagement_sensor, renewal_sensor
from sensors.cadence import release_cadence
from sensors.retention import retention_sensor
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
SCHEDULES: list = []
