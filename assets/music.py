from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, materialized, model_errors
from assets.cut import cut
from microdrama.stages import Episode, Staged, make_music
from resources import MediaStoreResource, ModelBackends, TemplateLibrary, VideoEncoder


@episode_asset(
    deps=[cut],
    code_version="1",
    kinds={"fluidsynth", "transformers"},
    model=True,
)
def music(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    encoder: VideoEncoder,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The episode's score on the picture's timeline: its genre's mood (music/moods.yaml), its
    series' theme varied per episode, stingers on the twist and the cliffhanger; FluidSynth
    plays it, or a MusicGen model (MICRODRAMA_MUSIC=transformers) with it as the fallback.
    One score serves every locale."""
    batch = episode_batch(context, media)
    moods = templates.moods()
    for problem in moods.problems:
        context.log.warning(problem)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        mood = moods.for_genre(ep.genre)
        return {
            "score": dg.MetadataValue.path(str(staged.made)),
            "mood": f"{mood.key}, {mood.tempo} bpm: {mood.style}",
        }

    with model_errors(context):
        composer = models.backends().make_composer()
        outcomes = make_music([ep for ep, _ in batch], encoder.settings(), composer, moods)
    yield from materialized(context, batch, outcomes, describe)
