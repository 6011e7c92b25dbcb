from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, image_markdown, materialized, model_errors
from assets.script import script
from microdrama.stages import Episode, Staged, make_frames, screening_of
from resources import MediaStoreResource, ModelBackends, VideoEncoder


@episode_asset(
    deps=[script],
    code_version="2",
    kinds={"pillow", "diffusers"},
    model=True,
)
def frames(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    encoder: VideoEncoder,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """One 9:16 keyframe per shot, with each character drawn the same in every shot.

    Every shot of the run's episodes goes to the painter at once, so a diffusion model paints
    them in batches.
    """
    batch = episode_batch(context, media)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        return {
            "keyframes": len(ep.keyframes()),
            "contact_sheet": image_markdown(staged.made, "contact sheet"),
            **screening_of(ep),  # NSFW scores, where a model painted
        }

    with model_errors(context):
        outcomes = make_frames(batch, encoder.settings(), models.backends().make_painter())
    yield from materialized(context, batch, outcomes, describe)
