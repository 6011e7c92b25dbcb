"""Small helpers the episode assets share: loading their template and describing outputs."""

from __future__ import annotations

import base64
from pathlib import Path

import dagster as dg

from assets.partitions import episode_of
from microdrama.episode import Episode
from microdrama.media import Manifest
from microdrama.tables import read_table, template_from_table
from microdrama.template import GenreTemplate
from resources import MediaStoreResource

EPISODE_GROUP = "episode"


def open_episode(
    context: dg.AssetExecutionContext, media: MediaStoreResource
) -> tuple[Episode, GenreTemplate]:
    """The partition's episode folder and its genre template (from the templates table)."""
    genre, episode = episode_of(context)
    store = media.store()
    template, _ = template_from_table(read_table(store.template_table(genre)), genre)
    return Episode(store, genre, episode), template


def result(manifest: Manifest, folder: Path, **metadata: object) -> dg.MaterializeResult:
    """A materialization whose data version is the artifact's content digest."""
    return dg.MaterializeResult(
        data_version=dg.DataVersion(manifest.digest),
        metadata={
            "path": dg.MetadataValue.path(str(folder)),
            "files": len(manifest.files),
            "digest": manifest.digest,
            **metadata,
        },
    )


def image_markdown(path: Path, alt: str) -> dg.MetadataValue:
    """An image the Dagster UI shows inline in the asset's metadata."""
    data = base64.b64encode(path.read_bytes()).decode()
    return dg.MetadataValue.md(f"![{alt}](data:image/jpeg;base64,{data})")
