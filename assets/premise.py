from collections.abc import Iterator
from dataclasses import replace

import dagster as dg

from assets.common import episode_asset, genre_template, materialized, model_errors
from assets.partitions import episodes_of
from assets.release import latest_release, release
from microdrama.concepts.planner import plan_episode
from microdrama.release import Release, default_seed, utc_now
from microdrama.stages import Episode, Staged, each, make_premise
from microdrama.words.template import GenreTemplate, template_digest
from resources import MediaStoreResource, ModelBackends, TemplateLibrary


def release_for(instance: dg.DagsterInstance, ep: Episode) -> Release:
    """The slot's release; a slot added by hand gets one from its previous premise or its key.

    A release without a topic rides a hot one picked at premise time; a re-render keeps the
    topic the episode already rides, so it changes only where its inputs changed.
    """
    previous = ep.previous_premise()
    made = latest_release(instance, str(ep.key))
    if made is None:
        made = Release(
            str(ep.key),
            previous.seed if previous else default_seed(ep.key),
            previous.topic if previous else None,
            previous.minted_at if previous else utc_now(),
            "added by hand",
        )
    if made.topic is None and previous is not None and previous.seed == made.seed:
        made = replace(made, topic=previous.topic)
    return made


@episode_asset(
    deps=[release],
    code_version="3",
    kinds={"python"},
    model=True,
    retry=False,
)
def premise(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    templates: TemplateLibrary,
    models: ModelBackends,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Title, logline, cast and the trend topic this episode rides, made from its release.

    With a writer model, the model rewrites the logline.
    """
    store = media.store()
    policy = templates.policy()
    library = templates.concepts()
    space = templates.space()
    with model_errors(context):
        writer = models.backends().make_writer()

    def plan(ep: Episode) -> tuple[GenreTemplate, str, dict | None]:
        """A concept genre's episode gets its own template; any other, its genre's."""
        if ep.genre not in library.genres:
            return (*genre_template(store, ep.genre), None)
        chosen = releases[ep.key].tropes
        planned = plan_episode(store, library, space, ep.key, tuple(chosen) if chosen else None)
        return planned.template, template_digest(planned.template), planned.concept.to_dict()

    episodes = [Episode(store, key) for key in episodes_of(context)]
    releases = {ep.key: release_for(context.instance, ep) for ep in episodes}
    planned = {ep.key: plan(ep) for ep in episodes}
    batch = [(ep, planned[ep.key][0]) for ep in episodes]

    def make(item: tuple[Episode, GenreTemplate]) -> Staged:
        ep, template = item
        _, digest, concept = planned[ep.key]
        made = releases[ep.key]
        feed = None if made.topic else store.read_table(store.table_path("trends"))
        return make_premise(ep, template, digest, feed, made, policy, writer, concept)

    def describe(ep: Episode, staged: Staged) -> dict[str, object]:
        made = staged.made
        return {
            "title": made.title,
            "logline": made.logline,
            "topic": made.topic,
            "seed": made.seed,
            "template_hash": made.template_hash,
            **({"concept": dg.MetadataValue.json(made.concept)} if made.concept else {}),
        }

    with model_errors(context):
        outcomes = each(batch, make)
    yield from materialized(context, batch, outcomes, describe)
