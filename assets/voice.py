import dagster as dg

from assets.common import EPISODE_GROUP, open_episode, result
from assets.partitions import episode_partitions
from assets.script import script
from microdrama.episode import make_voice
from resources import MediaStoreResource


@dg.asset(
    partitions_def=episode_partitions,
    deps=[script],
    group_name=EPISODE_GROUP,
    code_version="1",
    kinds={"espeak"},
)
def voice(context: dg.AssetExecutionContext, media: MediaStoreResource) -> dg.MaterializeResult:
    """One dialogue clip per line in the source locale, a distinct voice per character."""
    ep, template = open_episode(context, media)
    clips, manifest = make_voice(ep, template)
    return result(
        manifest,
        ep.dir("voice"),
        clips=len(clips),
        speech_seconds=round(sum(c["seconds"] for c in clips), 2),
    )
