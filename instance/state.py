"""What the sensors read from the instance and the tables: genres, templates, data versions."""

from __future__ import annotations

import dagster as dg

from assets.partitions import genre_partitions
from microdrama.media import MediaStore
from microdrama.words.template import GenreTemplate
from microdrama.words.template_table import template_from_table


def latest_data_version(instance: dg.DagsterInstance, asset: str, partition: str) -> str | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=1
    ).records
    event = records[0].asset_materialization if records else None
    return event.tags.get("dagster/data_version") if event and event.tags else None


def live_templates(
    instance: dg.DagsterInstance, store: MediaStore
) -> list[tuple[GenreTemplate, str]]:
    """(template, content hash) of every genre whose template table row exists."""
    templates = []
    for genre in instance.get_dynamic_partitions(genre_partitions.name):
        try:
            table = store.read_table(store.template_table(genre))
        except FileNotFoundError:
            continue
        templates.append(template_from_table(table, genre))
    return templates
