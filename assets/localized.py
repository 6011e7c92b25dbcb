from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_BATCH,
    EPISODE_GROUP,
    TRANSIENT_RETRY,
    episode_batch,
    gate_checks,
    materialized,
    model_errors,
    model_step_tags,
)
from assets.cut import cut
from assets.partitions import episode_partitions
from microdrama.episode import Episode, Staged, each, make_localized
from microdrama.localize import SOURCE_LOCALE
from resources import (
    Localization,
    MediaStoreResource,
    ModelBackends,
    TemplateLibrary,
    VideoEncoder,
)


@dg.asset(
    partitions_def=episode_partitions,
    deps=[cut],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"ffmpeg", "transformers"},
    check_specs=gate_checks("localized"),
    backfill_policy=EPISODE_BATCH,
    op_tags=model_step_tags(),
    retry_policy=TRANSIENT_RETRY,
    pool="gpu",
)
def localized(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    localization: Localization,
    encoder: VideoEncoder,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """A translated, dubbed and re-captioned variant of the cut for each target locale."""
    batch = episode_batch(context, media)
    locales = localization.locale_list()

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        summary = staged.made
        untranslated = {loc: s["methods"].get("untranslated", 0) for loc, s in summary.items()}
        for locale, count in untranslated.items():
            if count:
                context.log.warning(
                    f"{ep.key} {locale}: {count} line(s) kept in {SOURCE_LOCALE} "
                    "(no phrasebook entry and no machine translator)"
                )
        rows = [
            f"| {loc} | {s['title']} | {s['seconds']:.1f} | {s['methods']} |"
            for loc, s in summary.items()
        ]
        header = ["| locale | title | seconds | translation |", "|---|---|---|---|"]
        left_out = next(g for g in staged.gates if g.name == "all_locales")
        if not left_out.passed:
            context.log.warning(f"{ep.key}: {left_out.reason}")
        return {
            "locales": ", ".join(summary),
            "left_out": "" if left_out.passed else left_out.reason,
            "variants": dg.MetadataValue.md("\n".join([*header, *rows])),
            "untranslated_lines": sum(untranslated.values()),
        }

    with model_errors():
        backends = models.backends()
        speaker = backends.make_voice()
        outcomes = each(
            batch,
            lambda item: make_localized(
                *item,
                locales,
                templates.phrasebooks,
                templates.policy(),
                encoder.settings(),
                speaker,
                backends.make_translator,
            ),
        )
    yield from materialized(context, batch, outcomes, describe)
