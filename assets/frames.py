from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_GROUP,
    TRANSIENT_RETRY,
    gate_checks,
    gated,
    image_markdown,
    model_step_tags,
    open_episode,
    result,
)
from assets.partitions import episode_partitions
from assets.script import script
from microdrama.episode import make_frames
from resources import MediaStoreResource, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[script],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"pillow"},
    check_specs=gate_checks("frames"),
    op_tags=model_step_tags(),
    retry_policy=TRANSIENT_RETRY,
)
def frames(
    context: dg.AssetExecutionContext, media: MediaStoreResource, encoder: VideoEncoder
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """One 9:16 keyframe per shot, with each character drawn the same in every shot."""
    ep, template = open_episode(context, media)
    sheet, manifest, gates = yield from gated(lambda: make_frames(ep, template, encoder.settings()))
    yield result(
        manifest,
        ep.dir("frames"),
        gates,
        keyframes=len(ep.keyframes()),
        contact_sheet=image_markdown(sheet, "contact sheet"),
    )
