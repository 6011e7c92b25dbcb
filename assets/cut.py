from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_GROUP,
    TRANSIENT_RETRY,
    gate_checks,
    gated,
    image_markdown,
    open_episode,
    result,
)
from assets.frames import frames
from assets.partitions import episode_partitions
from assets.voice import voice
from microdrama.episode import make_cut
from resources import MediaStoreResource, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[frames, voice],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"ffmpeg"},
    check_specs=gate_checks("cut"),
    retry_policy=TRANSIENT_RETRY,
)
def cut(
    context: dg.AssetExecutionContext, media: MediaStoreResource, encoder: VideoEncoder
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The source-locale episode: 9:16 H.264/AAC MP4 timed by its dialogue, captions burned in."""
    ep, template = open_episode(context, media)
    timeline, manifest, gates = yield from gated(lambda: make_cut(ep, template, encoder.settings()))
    video = ep.dir("cut") / "episode.mp4"
    yield result(
        manifest,
        ep.dir("cut"),
        gates,
        seconds=timeline["seconds"],
        video=dg.MetadataValue.path(str(video)),
        subtitles=dg.MetadataValue.path(str(ep.dir("cut") / "episode.srt")),
        megabytes=round(video.stat().st_size / 1e6, 2),
        poster=image_markdown(ep.dir("cut") / "poster.jpg", "poster frame"),
    )
