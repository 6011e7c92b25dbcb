"""Schedules from the schedules file: release slates, the trend-feed refresh, the nightly report.

Each entry of the file (sensors/schedule_file.py reads it) becomes one Dagster schedule on the
UI's Automation page, on its cron and time zone, running by default only where the file enables
it. A schedule whose last run is still going skips its tick rather than stacking another: a
slate that takes longer than its interval would otherwise pile up renders.

Retention stays a sensor (sensors/retention.py): its tick costs one count query, and it archives
as soon as the window is full, where a schedule would let the instance overshoot in between.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg

from assets import audience_report_job, episode_job, trends_job
from instance.minting import Minter, run_request
from instance.state import live_templates
from microdrama.audience.pilots import current_model, next_pilot, pilot_decision, recent_pilots
from microdrama.audience.tables import AudienceTables
from microdrama.trends.feed import TrendFeedError, load_trend_feed
from resources import CatalogResource, Localization, MediaStoreResource, TemplateLibrary, TrendFeed
from sensors.schedule_file import AUDIENCE, ScheduleSpec

SCHEDULE_TAG = "microdrama/schedule"
GOING = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def still_going(instance: dg.DagsterInstance, name: str) -> int:
    """How many runs schedule `name` launched are queued or running (at most 1 is asked for)."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(tags={SCHEDULE_TAG: name}, statuses=GOING), limit=1
    )
    return len(runs)


def _status(spec: ScheduleSpec) -> dg.DefaultScheduleStatus:
    return dg.DefaultScheduleStatus.RUNNING if spec.enabled else dg.DefaultScheduleStatus.STOPPED


def _seed(*parts: object) -> int:
    text = "|".join(str(p) for p in parts)
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def release_slate(spec: ScheduleSpec) -> dg.ScheduleDefinition:
    """`count` new pilots of `genre` (or of the genres the audience model picks) per tick."""
    which = "the audience model's choice" if spec.genre == AUDIENCE else spec.genre

    @dg.schedule(
        name=spec.name,
        cron_schedule=spec.cron,
        execution_timezone=spec.timezone,
        job=episode_job,
        default_status=_status(spec),
        description=spec.description
        or f"A slate of {spec.count} pilot(s) of {which}, chosen and logged as the cadence does.",
    )
    def slate(
        context: dg.ScheduleEvaluationContext,
        media: MediaStoreResource,
        catalog: CatalogResource,
        trend_feed: TrendFeed,
        templates: TemplateLibrary,
        localization: Localization,
    ) -> list[dg.RunRequest] | dg.SkipReason:
        """Mint the slate (partitions added, releases observed, decisions logged) and request a
        run per pilot; skip while the previous slate is still being made."""
        if still_going(context.instance, spec.name):
            return dg.SkipReason(f"{spec.name}: the previous slate is still running")
        store = media.store()
        live = {t.genre: h for t, h in live_templates(context.instance, store)}
        genres = sorted(live) if spec.genre == AUDIENCE else [spec.genre]
        if not live or any(g not in live for g in genres):
            return dg.SkipReason(f"{spec.name}: no live template for {', '.join(genres) or 'any'}")
        try:
            feed = load_trend_feed(Path(trend_feed.path))
        except TrendFeedError as exc:
            context.log.warning(f"trend feed unusable, topics picked at premise time: {exc}")
            feed = None
        library, db, log = templates.concepts(), catalog.database(), catalog.decisions()
        model = current_model(AudienceTables(store), library, localization.locale_list(), genres)
        recent = recent_pilots(log, genres)
        minter = Minter(context.instance, catalog.catalog())
        tick = context.scheduled_execution_time.isoformat()
        requests, decisions = [], []
        for n in range(spec.count):
            picked, choice, logged = next_pilot(
                model,
                library,
                templates.space(),
                genres,
                db.next_series,
                seed=_seed(spec.name, tick, n),
                recent=recent,
            )
            made = minter.pilot(
                picked.genre, live[picked.genre], "release slate", feed, tropes=picked.tropes
            )
            recent.setdefault(picked.genre, []).insert(0, dict(picked.features.tropes))
            decisions.append(pilot_decision(made.key, picked, choice, logged, made.minted_at))
            requests.append(
                run_request(made, **{SCHEDULE_TAG: spec.name, "microdrama/slate_tick": tick})
            )
        for request in minter.requests():  # a schedule cannot return them: add them here
            context.instance.add_dynamic_partitions(
                request.partitions_def_name, list(request.partition_keys)
            )
        for event in minter.observations():
            context.instance.report_runless_asset_event(event)
        log.record(decisions)
        return requests

    return slate


def refresh(spec: ScheduleSpec, job_name: str) -> dg.ScheduleDefinition:
    """One run of `job_name` per tick (the trend feed's table, or the audience report)."""
    what = {
        "trend_refresh": "Reload the trend feed",
        "audience_report": "Write the audience model's pictures as gallery/audience.html",
    }[spec.kind]

    @dg.schedule(
        name=spec.name,
        cron_schedule=spec.cron,
        execution_timezone=spec.timezone,
        job_name=job_name,
        default_status=_status(spec),
        description=spec.description or f"{what} on a clock.",
    )
    def tick(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        if still_going(context.instance, spec.name):
            return dg.SkipReason(f"{spec.name}: its previous run is still going")
        return dg.RunRequest(
            run_key=f"{spec.name}:{context.scheduled_execution_time.isoformat()}",
            tags={SCHEDULE_TAG: spec.name},
        )

    return tick


def build_schedules(specs: list[ScheduleSpec]) -> list[dg.ScheduleDefinition]:
    """One Dagster schedule per entry of the schedules file."""
    jobs = {"trend_refresh": trends_job.name, "audience_report": audience_report_job.name}
    return [
        release_slate(spec) if spec.kind == "release_slate" else refresh(spec, jobs[spec.kind])
        for spec in specs
    ]
