"""The release cadence: mint the next episode every N seconds, genres weighted by trend heat."""

from __future__ import annotations

import os
import random

import dagster as dg

from assets import catalog_job, episode_job
from assets.partitions import episode_partition_key
from microdrama.trending import genre_heat, matcher
from microdrama.trends import latest_observations
from resources import MediaStoreResource
from sensors.state import SlotMinter, live_templates

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
    context: dg.SensorEvaluationContext, media: MediaStoreResource
) -> dg.SensorResult:
    """Mint one new episode per tick (every MICRODRAMA_CADENCE_SECONDS, default 90)."""
    store = media.store()
    templates = live_templates(context.instance, store)
    if not templates:
        return dg.SensorResult(skip_reason="no genre template materialized yet")
    try:
        feed = store.read_table(store.table_path("trends"))
        topics = list(latest_observations(feed)["topic"])
        heat = genre_heat(feed, matcher().fit(topics, templates)).to_dict()
    except FileNotFoundError:
        heat = {t.genre: 1.0 for t in templates}
    minted = int(context.cursor or 0)
    genre = pick_genre(heat, random.Random(minted))
    minter = SlotMinter(context.instance)
    key = str(episode_partition_key(genre, minter.mint()))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                partition_key=key,
                run_key=f"cadence:{key}",
                tags={"microdrama/reason": "release cadence"},
            )
        ],
        cursor=str(minted + 1),
        dynamic_partitions_requests=minter.requests(),
    )


catalog_refresh = dg.ScheduleDefinition(
    name="catalog_refresh",
    job=catalog_job,
    cron_schedule="*/15 * * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Rebuild the catalog every 15 minutes.",
)
