from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, materialized, model_errors
from assets.premise import premise
from microdrama.concepts.planner import continuity
from microdrama.stages import Episode, Staged, each, make_script
from microdrama.words.template import GenreTemplate
from resources import MediaStoreResource, ModelBackends, TemplateLibrary


@episode_asset(
    deps=[premise],
    code_version="2",
    kinds={"python"},
    model=True,
    retry=False,
)
def script(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Scenes -> shots -> lines (speaker, text, emotion, timing), filled into the template.

    With a writer model, the model rewrites the shot descriptions and the dialogue; the beats,
    shots and speakers stay the template's.
    """
    batch = episode_batch(context, media)
    policy = templates.policy()
    library = templates.concepts()

    def make(item: tuple[Episode, GenreTemplate]) -> Staged:
        ep, template = item
        keep = continuity(ep.store, library, ep.key, ep.premise().concept)
        return make_script(ep, template, policy, writer, keep)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        made = staged.made
        return {
            "script": dg.MetadataValue.md(made.to_markdown()),
            "script_hash": made.content_hash,
            "shots": len(made.shots),
            "lines": len(made.lines),
            "planned_seconds": made.runtime_seconds,
        }

    with model_errors(context):
        writer = models.backends().make_writer()
        outcomes = each(batch, make)
    yield from materialized(context, batch, outcomes, describe)
