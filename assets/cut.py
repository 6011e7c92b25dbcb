from collections.abc import Iterator

import dagster as dg

from assets.common import (
    EPISODE_BATCH,
    EPISODE_GROUP,
    TRANSIENT_RETRY,
    episode_batch,
    gate_checks,
    image_markdown,
    materialized,
)
from assets.frames import frames
from assets.motion import motion
from assets.partitions import episode_partitions
from assets.voice import voice
from microdrama.stages import Episode, Staged, each, make_cut
from resources import Disclosure, MediaStoreResource, ModelBackends, VideoEncoder


@dg.asset(
    partitions_def=episode_partitions,
    deps=[frames, voice, motion],
    group_name=EPISODE_GROUP,
    code_version="4",  # 4: the AI label, the AIGC record, C2PA sidecars
    kinds={"ffmpeg"},
    check_specs=gate_checks("cut"),
    backfill_policy=EPISODE_BATCH,
    retry_policy=TRANSIENT_RETRY,
)
def cut(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    encoder: VideoEncoder,
    disclosure: Disclosure,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The shared picture: one timeline that fits every locale's dub, and the caption-free
    picture on it, encoded once as the HLS video ladder (9:16 H.264, fMP4 segments)."""
    batch = episode_batch(context, media)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        folder = ep.dir("cut")
        size = sum(f.stat().st_size for f in (folder / "video").rglob("*") if f.is_file())
        return {
            "seconds": staged.made["seconds"],
            "rungs": ", ".join(f"{r['width']}x{r['height']}" for r in staged.made["rungs"]),
            "fitted_to": ", ".join(staged.made["fitted_to"]),
            "video": dg.MetadataValue.path(str(folder / "video")),
            "megabytes": round(size / 1e6, 2),
            "poster": image_markdown(folder / "poster.jpg", "poster frame"),
        }

    said = disclosure.provenance(models.backends().summary())  # the AI label, record, signer
    outcomes = each(batch, lambda item: make_cut(*item, encoder.settings(), said))
    yield from materialized(context, batch, outcomes, describe)
