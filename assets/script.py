from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_GROUP,
    gate_checks,
    gated,
    model_step_tags,
    open_episode,
    result,
)
from assets.partitions import episode_partitions
from assets.premise import premise
from microdrama.episode import make_script
from resources import MediaStoreResource, TemplateLibrary


@dg.asset(
    partitions_def=episode_partitions,
    deps=[premise],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"python"},
    check_specs=gate_checks("script"),
    op_tags=model_step_tags(),
)
def script(
    context: dg.AssetExecutionContext, media: MediaStoreResource, templates: TemplateLibrary
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Scenes -> shots -> lines (speaker, text, emotion, timing), filled into the template."""
    ep, template = open_episode(context, media)
    made, manifest, gates = yield from gated(lambda: make_script(ep, template, templates.policy()))
    yield result(
        manifest,
        ep.dir("script"),
        gates,
        script=dg.MetadataValue.md(made.to_markdown()),
        script_hash=made.content_hash,
        shots=len(made.shots),
        lines=len(made.lines),
        planned_seconds=made.runtime_seconds,
    )
