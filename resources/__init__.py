"""Dagster resources: explicit, typed configuration for the factory's outside world."""

from resources.config import (
    Localization,
    MediaStoreResource,
    TemplateLibrary,
    TrendFeed,
    VideoEncoder,
    default_resources,
)

__all__ = [
    "Localization",
    "MediaStoreResource",
    "TemplateLibrary",
    "TrendFeed",
    "VideoEncoder",
    "default_resources",
]
