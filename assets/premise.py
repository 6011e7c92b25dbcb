import dagster as dg
from pydantic import Field

from assets.common import EPISODE_GROUP, result
from assets.partitions import episode_of, episode_partitions
from assets.templates import genre_templates
from assets.trends import trends
from microdrama.episode import Episode, make_premise
from microdrama.story import default_seed
from microdrama.tables import read_table, template_from_table
from resources import MediaStoreResource


class PremiseConfig(dg.Config):
    seed: int | None = Field(
        default=None, description="story seed; unset means a stable seed derived from the partition"
    )


@dg.asset(
    partitions_def=episode_partitions,
    deps=[genre_templates, trends],
    group_name=EPISODE_GROUP,
    code_version="1",
    kinds={"python"},
)
def premise(
    context: dg.AssetExecutionContext, config: PremiseConfig, media: MediaStoreResource
) -> dg.MaterializeResult:
    """Title, logline, cast and the trend topic this episode rides."""
    genre, episode = episode_of(context)
    store = media.store()
    template, template_hash = template_from_table(read_table(store.template_table(genre)), genre)
    seed = config.seed if config.seed is not None else default_seed(genre, episode)
    ep = Episode(store, genre, episode)
    made, manifest = make_premise(
        ep, template, template_hash, read_table(store.table_path("trends")), seed
    )
    return result(
        manifest,
        ep.dir("premise"),
        title=made.title,
        logline=made.logline,
        topic=made.topic,
        seed=seed,
        template_hash=template_hash,
    )
