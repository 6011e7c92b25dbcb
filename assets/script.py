import dagster as dg

from assets.common import EPISODE_GROUP, open_episode, result
from assets.partitions import episode_partitions
from assets.premise import premise
from microdrama.episode import make_script
from resources import MediaStoreResource


@dg.asset(
    partitions_def=episode_partitions,
    deps=[premise],
    group_name=EPISODE_GROUP,
    code_version="1",
    kinds={"python"},
)
def script(context: dg.AssetExecutionContext, media: MediaStoreResource) -> dg.MaterializeResult:
    """Scenes -> shots -> lines (speaker, text, emotion, timing), filled into the template."""
    ep, template = open_episode(context, media)
    made, manifest = make_script(ep, template)
    return result(
        manifest,
        ep.dir("script"),
        script=dg.MetadataValue.md(made.to_markdown()),
        script_hash=made.content_hash,
        shots=len(made.shots),
        lines=len(made.lines),
        planned_seconds=made.runtime_seconds,
    )
