from collections.abc import Iterator

import dagster as dg
from pydantic import Field, field_validator

from assets.common import (
    EPISODE_BATCH,
    EPISODE_GROUP,
    episode_batch,
    gate_checks,
    materialized,
    model_errors,
    model_step_tags,
)
from assets.partitions import episode_partitions
from assets.templates import genre_templates
from assets.trends import trends
from microdrama.episode import Episode, Staged, each, make_premise
from microdrama.story import default_seed
from microdrama.tables import template_from_table
from microdrama.template import GenreTemplate
from microdrama.trends import topic_problem
from resources import MediaStoreResource, ModelBackends, TemplateLibrary


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
    backfill_policy=EPISODE_BATCH,
    op_tags=model_step_tags(),
    pool="gpu",
)
def premise(
    context: dg.AssetExecutionContext,
    config: PremiseConfig,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Title, logline, cast and the trend topic this episode rides.

    Re-materializing keeps the episode's seed and topic, so a regenerated episode changes only
    where its template changed. With a writer model, the model rewrites the logline.
    """
    batch = episode_batch(context, media)
    if len(batch) > 1 and (config.seed is not None or config.topic):
        raise dg.Failure(
            "premise config seed/topic applies to one episode; this run has "
            f"{len(batch)}: launch the episode's partition alone"
        )
    store = media.store()
    policy = templates.policy()
    with model_errors():
        writer = models.backends().make_writer()
    hashes = {
        t.genre: template_from_table(store.read_table(store.template_table(t.genre)), t.genre)[1]
        for _, t in batch
    }

    def make(item: tuple[Episode, GenreTemplate]) -> Staged:
        ep, template = item
        previous = ep.previous_premise()
        seed = config.seed
        if seed is None:
            seed = previous.seed if previous else default_seed(ep.genre, ep.episode)
        topic = config.topic or (previous.topic if previous and config.seed is None else None)
        feed = None if topic else store.read_table(store.table_path("trends"))
        return make_premise(ep, template, hashes[ep.genre], feed, seed, policy, topic, writer)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        made = staged.made
        return {
            "title": made.title,
            "logline": made.logline,
            "topic": made.topic,
            "seed": made.seed,
            "template_hash": made.template_hash,
        }

    with model_errors():
        outcomes = each(batch, make)
    yield from materialized(context, batch, outcomes, describe)
