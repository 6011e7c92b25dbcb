"""The release cadence: mint the next episode every N seconds, genres weighted by trend heat."""

from __future__ import annotations

import os
import random
from pathlib import Path

import dagster as dg

from assets import episode_job
from microdrama.trending import genre_heat, matcher
from microdrama.trends import TrendFeedError, latest_observations, load_trend_feed
from resources import CatalogResource, MediaStoreResource, TrendFeed
from sensors.minting import Minter, run_request
from sensors.state import live_templates

CADENCE_SECONDS = int(os.environ.get("MICRODRAMA_CADENCE_SECONDS", "90"))


def pick_genre(heat: dict[str, float], rng: random.Random) -> str:
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
) -> dg.SensorResult:
    """Mint one new episode per tick (every MICRODRAMA_CADENCE_SECONDS, default 90).

    Reads the trend feed itself, so a fresh instance needs no other run or switch first; its
    cost is the templates and the feed, never the episodes made so far.
    """
    live = live_templates(context.instance, media.store())
    templates = {template.genre: content_hash for template, content_hash in live}
    if not templates:
        return dg.SensorResult(skip_reason="waiting for the template sensor to validate a template")
    try:
        feed = load_trend_feed(Path(trend_feed.path))
    except TrendFeedError as exc:
        context.log.warning(f"trend feed unusable, genres drawn evenly: {exc}")
        feed, heat = None, dict.fromkeys(templates, 1.0)
    else:
        topics = list(latest_observations(feed)["topic"])
        fit = matcher().fit(topics, [template for template, _ in live])
        heat = genre_heat(feed, fit).to_dict()
    minted = int(context.cursor or 0)
    genre = pick_genre(heat, random.Random(minted))
    minter = Minter(context.instance, catalog.catalog())
    made = minter.pilot(genre, templates[genre], "release cadence", feed)
    return dg.SensorResult(
        run_requests=[run_request(made)],
        cursor=str(minted + 1),
        dynamic_partitions_requests=minter.requests(),
        asset_events=minter.observations(),
    )
