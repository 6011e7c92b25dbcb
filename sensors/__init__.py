"""Sensors and schedules that keep the feed stocked."""
