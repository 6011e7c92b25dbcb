from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, left_out, materialized, model_errors
from assets.script import script
from microdrama.stages import Episode, Staged, each, make_voice
from microdrama.words.template import SOURCE_LOCALE
from resources import Localization, MediaStoreResource, ModelBackends, TemplateLibrary


@episode_asset(
    deps=[script],
    code_version="2",
    kinds={"espeak", "apertium", "transformers"},
    model=True,
)
def voice(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    localization: Localization,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Every locale's dub before the cut: the script's lines in the source locale and in each
    target locale's translation, a distinct voice per character."""
    batch = episode_batch(context, media)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        summary = staged.made
        untranslated = {loc: s["methods"].get("untranslated", 0) for loc, s in summary.items()}
        rows = [
            f"| {loc} | {s['title']} | {s['speech_seconds']:.1f} | {s['methods']} |"
            for loc, s in summary.items()
        ]
        header = ["| locale | title | speech seconds | translation |", "|---|---|---|---|"]
        return {
            "locales": ", ".join(summary),
            "left_out": left_out(context, ep, staged),
            "dubs": dg.MetadataValue.md("\n".join([*header, *rows])),
            "speech_seconds": summary[SOURCE_LOCALE]["speech_seconds"],
            "untranslated_lines": sum(untranslated.values()),
        }

    with model_errors(context):
        backends = models.backends()
        speaker = backends.make_voice()
        outcomes = each(
            batch,
            lambda item: make_voice(
                *item,
                localization.locale_list(),
                templates.phrasebooks,
                templates.policy(),
                speaker,
                backends.make_translator,
            ),
        )
    yield from materialized(context, batch, outcomes, describe)
