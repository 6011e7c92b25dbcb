"""`microdrama audience`: play a simulated market, take engagement in, show what was learned.

`simulate` writes the engagement export a platform would send for the episodes released so
far; `update` runs the audience job through Dagster (the same job the engagement sensor
launches), then prints the model's pictures, what the renewal sensor will decide and the
pilot the release cadence will choose next; `decisions` lists the audit trail since a day (the
decisions and verdicts logged, the rows each ingest quarantined).
"""

from __future__ import annotations

from datetime import date, timedelta

from assets.audience import audience_model
from assets.partitions import genre_partitions
from microdrama.audience.feed import write_feed
from microdrama.audience.market import LIFETIME_DAYS, Market
from microdrama.audience.pilots import current_model, next_pilot
from microdrama.audience.renewal import verdicts, why_none
from microdrama.audience.tables import AudienceTables
from microdrama.words.template import BEATS
from operations.render import open_instance, run_job
from operations.resources import resources

PICTURES = (
    "completion_by_genre",
    "completion_by_trope",
    "last_100_releases",
    "best_series",
    "worst_series",
    "off_policy",
    "continuation_by_genre",
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
    instance = open_instance()
    run_job(instance, "audience_job", None, "the engagement feed")
    record = instance.fetch_materializations(audience_model.key, limit=1).records[0]
    metadata = record.asset_materialization.metadata if record.asset_materialization else {}
    with resources("media", "catalog", "templates", "localization") as built:
        store, db, log = built.media.store(), built.catalog.database(), built.catalog.decisions()
        tables = AudienceTables(store)
        episodes = tables.episodes()
        series = sorted(set(episodes["series"]))
        decided = set(log.of_series(series).query("kind != 'pilot'")["key"])
        status = log.status(series)
        found = verdicts(episodes, status, decided)
        waiting = "" if found else why_none(episodes, status, decided)
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
        "no_verdict": waiting,  # why there is none, where there is none
        "next_pilot": {
            "genre": picked.genre,
            "tropes": tropes,
            "propensity": round(choice.propensity, 4),
            "reason": choice.reason,
        },
    }


def decisions(since: str) -> dict[str, list[dict]]:
    """The audit trail since `since` (YYYY-MM-DD): every decision and verdict logged (pilots
    with their propensity; renewals and retirements with their reason) and every row an ingest
    quarantined, with its ingest and reason."""
    with resources("media", "catalog") as built:
        logged = built.catalog.decisions().since(since)
        rejected = AudienceTables(built.media.store()).quarantine(since)
    columns = ["decided_at", "kind", "key", "series", "policy", "propensity", "reason"]
    kept = [c for c in ["ingest_day", "ingest", "row", "reason", "day", "episode"] if c in rejected]
    return {
        "decisions": logged[columns].to_dict("records"),
        "quarantined": rejected[kept].astype(str).to_dict("records"),
    }
