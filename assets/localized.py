from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_GROUP,
    TRANSIENT_RETRY,
    gate_checks,
    gated,
    model_step_tags,
    open_episode,
    result,
)
from assets.cut import cut
from assets.partitions import episode_partitions
from microdrama.episode import make_localized
from microdrama.localize import SOURCE_LOCALE
from resources import Localization, MediaStoreResource, TemplateLibrary, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[cut],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"ffmpeg"},
    check_specs=gate_checks("localized"),
    op_tags=model_step_tags(),
    retry_policy=TRANSIENT_RETRY,
)
def localized(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    localization: Localization,
    encoder: VideoEncoder,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """A translated, dubbed and re-captioned variant of the cut for each target locale."""
    ep, template = open_episode(context, media)
    locales = localization.locale_list()
    summary, manifest, gates = yield from gated(
        lambda: make_localized(
            ep, template, locales, templates.phrasebooks, templates.policy(), encoder.settings()
        )
    )
    untranslated = {loc: s["methods"].get("untranslated", 0) for loc, s in summary.items()}
    for locale, count in untranslated.items():
        if count:
            context.log.warning(
                f"{locale}: {count} line(s) kept in {SOURCE_LOCALE} "
                "(no phrasebook entry and no machine translator)"
            )
    rows = [
        f"| {loc} | {s['title']} | {s['seconds']:.1f} | {s['methods']} |"
        for loc, s in summary.items()
    ]
    table = "\n".join(["| locale | title | seconds | translation |", "|---|---|---|---|", *rows])
    yield result(
        manifest,
        ep.dir("localized"),
        gates,
        locales=", ".join(summary),
        variants=dg.MetadataValue.md(table),
        untranslated_lines=sum(untranslated.values()),
    )
