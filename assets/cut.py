from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_BATCH,
    EPISODE_GROUP,
    TRANSIENT_RETRY,
    episode_batch,
    gate_checks,
    image_markdown,
    materialized,
)
from assets.frames import frames
from assets.partitions import episode_partitions
from assets.voice import voice
from microdrama.episode import Episode, Staged, each, make_cut
from resources import MediaStoreResource, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[frames, voice],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"ffmpeg"},
    check_specs=gate_checks("cut"),
    backfill_policy=EPISODE_BATCH,
    retry_policy=TRANSIENT_RETRY,
)
def cut(
    context: dg.AssetExecutionContext, media: MediaStoreResource, encoder: VideoEncoder
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The source-locale episode: 9:16 H.264/AAC MP4 timed by its dialogue, captions burned in."""
    batch = episode_batch(context, media)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        folder = ep.dir("cut")
        return {
            "seconds": staged.made["seconds"],
            "video": dg.MetadataValue.path(str(folder / "episode.mp4")),
            "subtitles": dg.MetadataValue.path(str(folder / "episode.srt")),
            "megabytes": round((folder / "episode.mp4").stat().st_size / 1e6, 2),
            "poster": image_markdown(folder / "poster.jpg", "poster frame"),
        }

    outcomes = each(batch, lambda item: make_cut(*item, encoder.settings()))
    yield from materialized(context, batch, outcomes, describe)
