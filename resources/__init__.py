"""Dagster resources: explicit, typed configuration for the factory's outside world."""

from resources.config import (
    CatalogResource,
    Disclosure,
    EngagementFeed,
    Localization,
    MediaStoreResource,
    TemplateLibrary,
    TrendFeed,
    VideoEncoder,
    default_resources,
)
from resources.models import ModelBackends, ModelDevice

__all__ = [
    "CatalogResource",
    "Disclosure",
    "EngagementFeed",
    "Localization",
    "MediaStoreResource",
    "ModelBackends",
    "ModelDevice",
    "TemplateLibrary",
    "TrendFeed",
    "VideoEncoder",
    "default_resources",
]
