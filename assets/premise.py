from collections.abc import Iterator

import dagster as dg
from pydantic import Field, field_validator

from assets.common import EPISODE_GROUP, gate_checks, gated, result
from assets.partitions import episode_of, episode_partitions
from assets.templates import genre_templates
from assets.trends import trends
from microdrama.episode import Episode, make_premise
from microdrama.story import default_seed
from microdrama.tables import template_from_table
from microdrama.trends import topic_problem
from resources import MediaStoreResource, TemplateLibrary


class PremiseConfig(dg.Config):
    seed: int | None = Field(
        default=None,
        description="story seed; unset keeps the episode's previous seed, else one derived from "
        "the partition",
    )
    topic: str | None = Field(
        default=None,
        description="trend topic to ride; unset keeps the previous topic, else picks a hot one",
    )

    @field_validator("topic")
    @classmethod
    def _clean_topic(cls, topic: str | None) -> str | None:
        problem = None if topic is None else topic_problem(topic)
        if problem:
            raise ValueError(f"premise config topic: {problem}")
        return topic


@dg.asset(
    partitions_def=episode_partitions,
    deps=[genre_templates, trends],
    group_name=EPISODE_GROUP,
    code_version="2",
    kinds={"python"},
    check_specs=gate_checks("premise"),
)
def premise(
    context: dg.AssetExecutionContext,
    config: PremiseConfig,
    media: MediaStoreResource,
    templates: TemplateLibrary,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Title, logline, cast and the trend topic this episode rides.

    Re-materializing keeps the episode's seed and topic, so a regenerated episode changes only
    where its template changed.
    """
    genre, episode = episode_of(context)
    store = media.store()
    template, template_hash = template_from_table(
        store.read_table(store.template_table(genre)), genre
    )
    ep = Episode(store, genre, episode)
    previous = ep.previous_premise()
    seed = config.seed
    if seed is None:
        seed = previous.seed if previous else default_seed(genre, episode)
    topic = config.topic or (previous.topic if previous and config.seed is None else None)
    feed = None if topic else store.read_table(store.table_path("trends"))
    made, manifest, gates = yield from gated(
        lambda: make_premise(ep, template, template_hash, feed, seed, templates.policy(), topic)
    )
    yield result(
        manifest,
        ep.dir("premise"),
        gates,
        title=made.title,
        logline=made.logline,
        topic=made.topic,
        seed=seed,
        template_hash=template_hash,
    )
