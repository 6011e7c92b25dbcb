"""The episode partitions: genre x episode, both dynamic (see DESIGN.md)."""

import dagster as dg

from microdrama.keys import check_key

genre_partitions = dg.DynamicPartitionsDefinition(name="genre")
episode_slots = dg.DynamicPartitionsDefinition(name="episode")
episode_partitions = dg.MultiPartitionsDefinition(
    {"genre": genre_partitions, "episode": episode_slots}
)


def episodes_of(context: dg.AssetExecutionContext) -> list[tuple[str, str]]:
    """(genre, episode) of every partition the run materializes (one, or a backfill's batch),
    checked as safe path segments."""
    out = []
    for key in context.partition_keys:
        keys = episode_partitions.get_partition_key_from_str(str(key)).keys_by_dimension
        out.append((check_key("genre", keys["genre"]), check_key("episode", keys["episode"])))
    return out


def episode_partition_key(genre: str, episode: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey(
        {"genre": check_key("genre", genre), "episode": check_key("episode", episode)}
    )
