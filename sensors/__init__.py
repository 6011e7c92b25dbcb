"""Sensors and schedules that keep the feed stocked and react to changed inputs."""

from sensors.cadence import catalog_refresh, release_cadence
from sensors.templates import template_sensor
from sensors.trends import trend_sensor

SENSORS = [template_sensor, trend_sensor, release_cadence]
SCHEDULES = [catalog_refresh]
