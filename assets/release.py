"""The release: an external asset, one partition per episode, observed when a slot is minted.

Its observation carries the release (seed, topic, input versions) as metadata and its version
as the data version, so the premise is made from it, and a new release version (a template
edit) shows exactly the episodes it touches as stale in the UI.
"""

from __future__ import annotations

import dagster as dg

from assets.partitions import episode_partitions
from assets.templates import genre_templates
from assets.trends import trends
from microdrama.release import Release

DATA_VERSION_TAG = "dagster/data_version"  # the tag Dagster reads an event's data version from

release = dg.AssetSpec(
    "release",
    partitions_def=episode_partitions,
    deps=[genre_templates, trends],
    group_name="inputs",
    kinds={"python"},
    description="What the factory decided to make in this slot: seed, trend topic and the "
    "versions of its inputs, observed when the slot is minted.",
)


def observation(made: Release) -> dg.AssetObservation:
    return dg.AssetObservation(
        asset_key=release.key,
        partition=made.key,
        tags={DATA_VERSION_TAG: made.version},
        metadata={
            "release": dg.MetadataValue.json(made.__dict__),
            "topic": made.topic or "(picked at premise time)",
            "reason": made.reason,
        },
    )


def latest_release(instance: dg.DagsterInstance, key: str) -> Release | None:
    """The slot's most recent release, or None if it was never observed (a key added by hand)."""
    records = instance.fetch_observations(
        dg.AssetRecordsFilter(asset_key=release.key, asset_partitions=[key]), limit=1
    ).records
    if not records:
        return None
    found = records[0].asset_observation
    value = found.metadata.get("release") if found else None
    return Release(**value.value) if value is not None else None
