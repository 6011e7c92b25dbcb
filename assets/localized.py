from collections.abc import Iterator

import dagster as dg

from assets.common import episode_asset, episode_batch, left_out, materialized
from assets.cut import cut
from assets.music import music
from assets.voice import voice
from microdrama.provenance.verify import package_disclosure
from microdrama.stages import Episode, Staged, each, make_localized, package_path
from resources import Disclosure, Localization, MediaStoreResource, ModelBackends, VideoEncoder


@episode_asset(
    deps=[cut, voice, music],
    code_version="4",  # 4: labelled subtitles and MP4s, AIGC record, C2PA
    kinds={"ffmpeg", "hls"},
)
def localized(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    localization: Localization,
    encoder: VideoEncoder,
    disclosure: Disclosure,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The HLS package: every dubbed locale as a sound and a subtitle rendition of the cut's
    picture, the master playlist, and burned-in MP4s for the locales MICRODRAMA_BURNED_IN names."""
    batch = episode_batch(context, media)
    burned_in = localization.burned_in_list()

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        summary = staged.made
        rows = [
            f"| {loc} | {s['title']} | {s['seconds']:.1f} | {'yes' if s['burned_in'] else ''} |"
            for loc, s in summary.items()
        ]
        header = ["| locale | title | seconds | burned-in |", "|---|---|---|---|"]
        return {
            "locales": ", ".join(summary),
            "left_out": left_out(context, ep, staged),
            "renditions": dg.MetadataValue.md("\n".join([*header, *rows])),
            "package": dg.MetadataValue.path(str(package_path(ep))),
            **disclosed(ep, staged),
        }

    said = disclosure.provenance(models.backends().summary())  # the AI label, record, signer
    outcomes = each(batch, lambda item: make_localized(*item, encoder.settings(), burned_in, said))
    yield from materialized(context, batch, outcomes, describe)


def disclosed(ep: Episode, staged: Staged) -> dict[str, object]:
    """The AI label, the filing number and the content credentials' status, as the UI shows
    them beside the package."""
    signed = next(g for g in staged.gates if g.name == "provenance")
    found = package_disclosure(ep.dir("localized"), signed.passed, signed.reason)
    if not found:
        return {}
    label = found["label"]
    return {
        "ai_label": dg.MetadataValue.md(
            "\n".join(f"- {loc}: {text}" for loc, text in label.items())  # type: ignore[union-attr]
        ),
        "filing_number": found["filing_number"] or "not configured",
        "aigc_produce_id": found["produce_id"],
        "credentials": f"{'valid' if signed.passed else 'INVALID'}: {found['credentials']}",
    }
