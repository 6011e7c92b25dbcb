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
from assets.partitions import episode_partitions
from assets.script import script
from microdrama.episode import Episode, Staged, each, make_voice
from resources import MediaStoreResource, ModelBackends


@dg.asset(
    partitions_def=episode_partitions,
    deps=[script],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"espeak", "transformers"},
    check_specs=gate_checks("voice"),
    backfill_policy=EPISODE_BATCH,
    op_tags=model_step_tags(),
    retry_policy=TRANSIENT_RETRY,
    pool="gpu",
)
def voice(
    context: dg.AssetExecutionContext, media: MediaStoreResource, models: ModelBackends
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """One dialogue clip per line in the source locale, a distinct voice per character."""
    batch = episode_batch(context, media)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        return {
            "clips": len(staged.made),
            "speech_seconds": round(sum(c["seconds"] for c in staged.made), 2),
        }

    with model_errors():
        speaker = models.backends().make_voice()
        outcomes = each(batch, lambda item: make_voice(*item, speaker))
    yield from materialized(context, batch, outcomes, describe)
