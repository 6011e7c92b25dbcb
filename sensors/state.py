"""What the sensors read from the instance and the tables: genres, episodes, data versions."""

from __future__ import annotations

import dagster as dg

from assets.partitions import episode_partitions, episode_slots, genre_partitions
from microdrama.keys import next_episode
from microdrama.media import MediaStore
from microdrama.tables import template_from_table
from microdrama.template import GenreTemplate


def latest_data_version(instance: dg.DagsterInstance, asset: str, partition: str) -> str | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=1
    ).records
    event = records[0].asset_materialization if records else None
    return event.tags.get("dagster/data_version") if event and event.tags else None


def made_episodes(instance: dg.DagsterInstance, genre: str) -> list[str]:
    """Episode slots of `genre` that have been made (their premise materialized)."""
    made = []
    for key in instance.get_materialized_partitions(dg.AssetKey("premise")):
        keys = episode_partitions.get_partition_key_from_str(key).keys_by_dimension
        if keys["genre"] == genre:
            made.append(keys["episode"])
    return sorted(made)


def live_templates(instance: dg.DagsterInstance, store: MediaStore) -> list[GenreTemplate]:
    """Templates of the genre partitions whose template table row exists."""
    templates = []
    for genre in instance.get_dynamic_partitions(genre_partitions.name):
        try:
            table = store.read_table(store.template_table(genre))
        except FileNotFoundError:
            continue
        templates.append(template_from_table(table, genre)[0])
    return templates


class SlotMinter:
    """Hands out new episode slots within one tick, and the request that adds them."""

    def __init__(self, instance: dg.DagsterInstance):
        self.taken = list(instance.get_dynamic_partitions(episode_slots.name))
        self.minted: list[str] = []

    def mint(self) -> str:
        slot = next_episode(self.taken)
        self.taken.append(slot)
        self.minted.append(slot)
        return slot

    def requests(self) -> list[dg.AddDynamicPartitionsRequest]:
        return [episode_slots.build_add_request(self.minted)] if self.minted else []
