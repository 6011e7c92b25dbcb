import dagster as dg

from assets.common import EPISODE_GROUP, image_markdown, open_episode, result
from assets.frames import frames
from assets.partitions import episode_partitions
from assets.voice import voice
from microdrama.episode import make_cut
from resources import MediaStoreResource, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[frames, voice],
    group_name=EPISODE_GROUP,
    code_version="1",
    kinds={"ffmpeg"},
)
def cut(
    context: dg.AssetExecutionContext, media: MediaStoreResource, encoder: VideoEncoder
) -> dg.MaterializeResult:
    """The source-locale episode: 9:16 H.264/AAC MP4 timed by its dialogue, captions burned in."""
    ep, template = open_episode(context, media)
    timeline, manifest = make_cut(ep, template, encoder.settings())
    video = ep.dir("cut") / "episode.mp4"
    return result(
        manifest,
        ep.dir("cut"),
        seconds=timeline["seconds"],
        video=dg.MetadataValue.path(str(video)),
        subtitles=dg.MetadataValue.path(str(ep.dir("cut") / "episode.srt")),
        megabytes=round(video.stat().st_size / 1e6, 2),
        poster=image_markdown(ep.dir("cut") / "poster.jpg", "poster frame"),
    )
