import dagster as dg

from assets.common import EPISODE_GROUP, image_markdown, open_episode, result
from assets.partitions import episode_partitions
from assets.script import script
from microdrama.episode import make_frames
from resources import MediaStoreResource, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[script],
    group_name=EPISODE_GROUP,
    code_version="1",
    kinds={"pillow"},
)
def frames(
    context: dg.AssetExecutionContext, media: MediaStoreResource, encoder: VideoEncoder
) -> dg.MaterializeResult:
    """One 9:16 keyframe per shot, with each character drawn the same in every shot."""
    ep, template = open_episode(context, media)
    sheet, manifest = make_frames(ep, template, encoder.settings())
    return result(
        manifest,
        ep.dir("frames"),
        keyframes=len(ep.keyframes()),
        contact_sheet=image_markdown(sheet, "contact sheet"),
    )
