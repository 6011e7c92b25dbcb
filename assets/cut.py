from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, image_markdown, materialized
from assets.frames import frames
from assets.motion import motion
from assets.voice import voice
from microdrama.stages import Episode, Staged, each, make_cut
from resources import Disclosure, MediaStoreResource, ModelBackends, VideoEncoder


@episode_asset(
    deps=[frames, voice, motion],
    code_version="4",  # 4: the AI label, the AIGC record, C2PA sidecars
    kinds={"ffmpeg"},
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
