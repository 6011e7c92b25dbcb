"""The release cadence: mint the next pilot every N seconds, chosen by the audience model."""

from __future__ import annotations

import random
from pathlib import Path

import dagster as dg

from assets import episode_job
from instance.minting import Minter, run_request
from instance.state import live_templates
from microdrama.audience.pilots import current_model, next_pilot, pilot_decision, recent_pilots
from microdrama.audience.tables import AudienceTables
from microdrama.trends.feed import TrendFeedError, load_trend_feed
from resources import CatalogResource, Localization, MediaStoreResource, TemplateLibrary, TrendFeed
from resources.config import value

CADENCE_SECONDS = int(value("MICRODRAMA_CADENCE_SECONDS"))


def pick_genre(heat: dict[str, float], rng: random.Random) -> str:
    """A genre drawn by trend heat: how the cadence chose before the audience loop (the scale
    benchmark still mints this way, and `bench --audience` compares against it)."""
    genres = sorted(heat)
    return rng.choices(genres, weights=[max(heat[g], 1e-3) for g in genres], k=1)[0]


@dg.sensor(
    job=episode_job,
    minimum_interval_seconds=CADENCE_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def release_cadence(
    context: dg.SensorEvaluationContext,
    media: MediaStoreResource,
    catalog: CatalogResource,
    trend_feed: TrendFeed,
    templates: TemplateLibrary,
    localization: Localization,
) -> dg.SensorResult:
    """Mint one new pilot per tick (every MICRODRAMA_CADENCE_SECONDS, default 90).

    Thompson sampling over candidate concepts of every live genre picks it, from the audience
    model (the prior before any engagement); the decision is logged with its propensity. The
    pilot rides a hot topic of the trend feed. Its cost is the templates, the model and the
    candidates, never the episodes made so far.
    """
    store = media.store()
    live = live_templates(context.instance, store)
    templates_by_genre = {template.genre: content_hash for template, content_hash in live}
    if not templates_by_genre:
        return dg.SensorResult(skip_reason="waiting for the template sensor to validate a template")
    try:
        feed = load_trend_feed(Path(trend_feed.path))
    except TrendFeedError as exc:
        context.log.warning(f"trend feed unusable, topics picked at premise time: {exc}")
        feed = None
    library, db = templates.concepts(), catalog.database()
    genres = sorted(templates_by_genre)
    model = current_model(AudienceTables(store), library, localization.locale_list(), genres)
    minted = int(context.cursor or 0)
    recent = recent_pilots(catalog.decisions(), genres)  # spread: the feed does not repeat
    picked, choice, logged = next_pilot(
        model, library, templates.space(), genres, db.next_series, seed=minted, recent=recent
    )
    minter = Minter(context.instance, catalog.catalog())
    made = minter.pilot(
        picked.genre,
        templates_by_genre[picked.genre],
        "release cadence",
        feed,
        tropes=picked.tropes,
    )
    catalog.decisions().record([pilot_decision(made.key, picked, choice, logged, made.minted_at)])
    return dg.SensorResult(
        run_requests=[run_request(made, **{"microdrama/propensity": f"{choice.propensity:.4f}"})],
        cursor=str(minted + 1),
        dynamic_partitions_requests=minter.requests(),
        asset_events=minter.observations(),
    )
