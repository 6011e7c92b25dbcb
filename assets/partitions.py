"""The partitions: one dynamic key per real episode, and one per genre for the templates.

Episode keys read `<genre>-<series>-<episode>` (see microdrama.keys), so a genre or a series is
one wildcard in the UI's partition selector, and no key is ever an empty cross-product cell.
"""

import dagster as dg

from microdrama.keys import EpisodeKey

genre_partitions = dg.DynamicPartitionsDefinition(name="genre")
episode_partitions = dg.DynamicPartitionsDefinition(name="episodes")


def episodes_of(context: dg.AssetExecutionContext) -> list[EpisodeKey]:
    """Every episode the run materializes (one, or a backfill's batch), parsed and checked."""
    return [EpisodeKey.parse(str(key)) for key in context.partition_keys]
