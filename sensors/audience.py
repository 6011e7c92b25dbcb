"""The audience loop's sensors: take engagement in when the feed changes, and renew or
retire series when the model has new evidence."""

from __future__ import annotations

import dagster as dg

from assets import audience_job, episode_job
from assets.audience import audience_model
from assets.engagement import engagement_feed
from assets.release import DATA_VERSION_TAG
from instance.minting import Minter, run_request
from instance.state import live_templates
from microdrama.audience.decisions import Decision
from microdrama.audience.feed import EngagementFeedError, content_version
from microdrama.audience.renewal import verdicts, why_none
from microdrama.audience.tables import AudienceTables
from microdrama.release import utc_now
from resources import CatalogResource, EngagementFeed, MediaStoreResource


@dg.sensor(
    job=audience_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def engagement_sensor(
    context: dg.SensorEvaluationContext, engagement_source: EngagementFeed
) -> dg.SensorResult:
    """Observe the engagement feed; when its content changed, update engagement and the model.
    Reads the feed (a platform's rolling export), never the history."""
    location = engagement_source.resolved()
    try:
        version = content_version(location)
    except EngagementFeedError as exc:
        return dg.SensorResult(skip_reason=str(exc))
    if version == context.cursor:
        return dg.SensorResult(skip_reason="engagement feed unchanged")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"engagement:{version}")],
        cursor=version,
        asset_events=[
            dg.AssetObservation(asset_key=engagement_feed.key, tags={DATA_VERSION_TAG: version})
        ],
    )


def latest_model_event(instance: dg.DagsterInstance) -> int | None:
    records = instance.fetch_materializations(audience_model.key, limit=1).records
    return records[0].storage_id if records else None


@dg.sensor(
    job=episode_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def renewal_sensor(
    context: dg.SensorEvaluationContext, media: MediaStoreResource, catalog: CatalogResource
) -> dg.SensorResult:
    """After each model update, judge each series by its newest episode: order the next
    episode where its completion (and continuation, where the feed reports it) beats its
    genre's median, retire the series where either falls well below it. Each verdict is
    logged in the decisions table (a rule's propensity is 1); a tick with none says why.
    Reads the figures of the episodes still earning, not the history."""
    latest = latest_model_event(context.instance)
    if latest is None or str(latest) == context.cursor:
        return dg.SensorResult(skip_reason="no new audience model")
    store, log = media.store(), catalog.decisions()
    episodes = AudienceTables(store).episodes()
    if episodes.empty:
        return dg.SensorResult(skip_reason="no engagement yet", cursor=str(latest))
    series = sorted(set(episodes["series"]))
    decided = set(log.of_series(series).query("kind != 'pilot'")["key"])
    status = log.status(series)
    found = verdicts(episodes, status, decided)
    templates = {t.genre: h for t, h in live_templates(context.instance, store)}
    minter = Minter(context.instance, catalog.catalog())
    decisions, requests = [], []
    for verdict in found:
        key = verdict.key
        if verdict.kind == "renew":
            if verdict.genre not in templates:
                context.log.warning(f"{verdict.series}: genre template not live, not renewed")
                continue
            made = minter.next_episode(verdict.series, templates[verdict.genre], "renewal")
            requests.append(run_request(made))
        decisions.append(
            Decision(
                decided_at=utc_now(),
                kind=verdict.kind,
                key=key,
                series=verdict.series,
                genre=verdict.genre,
                policy="renewal rule",
                reason=verdict.reason,
                propensity=1.0,
                expected=verdict.rate,
            )
        )
    log.record(decisions)
    return dg.SensorResult(
        run_requests=requests,
        skip_reason=None if decisions else why_none(episodes, status, decided),
        cursor=str(latest),
        dynamic_partitions_requests=minter.requests(),
        asset_events=minter.observations(),
    )
