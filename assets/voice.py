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
from assets.partitions import episode_partitions
from assets.script import script
from microdrama.episode import make_voice
from resources import MediaStoreResource


@dg.asset(
    partitions_def=episode_partitions,
    deps=[script],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"espeak"},
    check_specs=gate_checks("voice"),
    op_tags=model_step_tags(),
    retry_policy=TRANSIENT_RETRY,
)
def voice(
    context: dg.AssetExecutionContext, media: MediaStoreResource
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """One dialogue clip per line in the source locale, a distinct voice per character."""
    ep, template = open_episode(context, media)
    clips, manifest, gates = yield from gated(lambda: make_voice(ep, template))
    yield result(
        manifest,
        ep.dir("voice"),
        gates,
        clips=len(clips),
        speech_seconds=round(sum(c["seconds"] for c in clips), 2),
    )
