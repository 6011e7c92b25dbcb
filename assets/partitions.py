"""The episode partitions: genre x episode, both dynamic (see DESIGN.md)."""

import dagster as dg

from microdrama.keys import check_key

genre_partitions = dg.DynamicPartitionsDefinition(name="genre")
episode_slots = dg.DynamicPartitionsDefinition(name="episode")
episode_partitions = dg.MultiPartitionsDefinition(
    {"genre": genre_partitions, "episode": episode_slots}
)


def episode_of(context: dg.AssetExecutionContext) -> tuple[str, str]:
    """(genre, episode) of the partition being materialized, checked as safe path segments."""
    keys = context.partition_key.keys_by_dimension  # type: ignore[union-attr]
    return check_key("genre", keys["genre"]), check_key("episode", keys["episode"])


def episode_partition_key(genre: str, episode: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey(
        {"genre": check_key("genre", genre), "episode": check_key("episode", episode)}
    )
