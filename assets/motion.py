from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, materialized, model_errors
from assets.frames import frames
from assets.voice import voice
from microdrama.stages import Episode, Staged, make_motion
from resources import MediaStoreResource, ModelBackends, VideoEncoder


@episode_asset(
    deps=[frames, voice],
    code_version="2",  # 2: the embedded default rigs a motion comic
    kinds={"diffusers"},
    model=True,
)
def motion(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    encoder: VideoEncoder,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """A moving clip per shot from an image-to-video model (MICRODRAMA_MOTION=diffusers), held
    to the picture's timing; a shot without one (a clip that failed its gate) keeps the eased
    pan over its keyframe. The embedded default rigs every shot as a motion comic (layers at
    their depth, mouths following the source dub, blinks), whose frames the cut composes."""
    batch = episode_batch(context, media)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        return {
            "moving_shots": sum(c["file"] is not None for c in staged.made),
            "motion_comic": any("motion comic" in (c.get("reason") or "") for c in staged.made),
            "shots": len(staged.made),
        }

    with model_errors(context):
        animator = models.backends().make_animator()
        outcomes = make_motion(batch, encoder.settings(), animator)
    yield from materialized(context, batch, outcomes, describe)
