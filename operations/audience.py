"""`microdrama audience`: play a simulated market, take engagement in, show what was learned.

`simulate` writes the engagement export a platform would send for the episodes released so
far; `update` runs the audience job through Dagster (the same job the engagement sensor
launches), then prints the model's pictures, what the renewal sensor will decide and the
pilot the release cadence will choose next.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from assets.audience import audience_model
from assets.partitions import genre_partitions
from microdrama.audience.feed import write_feed
from microdrama.audience.market import LIFETIME_DAYS, Market
from microdrama.audience.pilots import current_model, next_pilot
from microdrama.audience.renewal import verdicts
from microdrama.audience.tables import AudienceTables
from microdrama.words.template import BEATS
from operations.render import ensure_dagster_home, run_job
from operations.resources import resources

PICTURES = (
    "completion_by_genre",
    "completion_by_trope",
    "last_100_releases",
    "best_series",
    "worst_series",
    "off_policy",
)


def simulate(through: date, seed: int, window: int) -> dict[str, object]:
    """The export on day `through` of market `seed`, written to MICRODRAMA_ENGAGEMENT."""
    with resources("catalog", "engagement_source") as built:
        first = through - timedelta(days=LIFETIME_DAYS + window)
        episodes = built.catalog.database().rows(since=first.isoformat())
        export = Market(seed).export(episodes, through, window)
        location = built.engagement_source.resolved()
        write_feed(export, location)
    return {
        "feed": location,
        "rows": len(export),
        "episodes": int(export["episode"].nunique()),
        "through": through.isoformat(),
    }


def update() -> dict[str, object]:
    """Run the audience job; return the model's pictures, the verdicts and the next pilot."""
    ensure_dagster_home()
    instance = dg.DagsterInstance.get()
    run_job(instance, "audience_job", None, "the engagement feed")
    record = instance.fetch_materializations(audience_model.key, limit=1).records[0]
    metadata = record.asset_materialization.metadata if record.asset_materialization else {}
    with resources("media", "catalog", "templates", "localization") as built:
        store, db, log = built.media.store(), built.catalog.database(), built.catalog.decisions()
        tables = AudienceTables(store)
        episodes = tables.episodes()
        series = sorted(set(episodes["series"]))
        decided = set(log.of_series(series).query("kind != 'pilot'")["key"])
        found = verdicts(episodes, log.status(series), decided)
        library = built.templates.concepts()
        genres = sorted(instance.get_dynamic_partitions(genre_partitions.name))
        model = current_model(tables, library, built.localization.locale_list(), genres)
        picked, choice, _ = next_pilot(
            model, library, built.templates.space(), genres, db.next_series, seed=len(series)
        )
    tropes = [picked.features.tropes[b] for b in BEATS if b in picked.features.tropes]
    return {
        "pictures": {name: metadata[name].value for name in PICTURES if name in metadata},
        "verdicts": [v.reason for v in found],
        "next_pilot": {
            "genre": picked.genre,
            "tropes": tropes,
            "propensity": round(choice.propensity, 4),
            "reason": choice.reason,
        },
    }
