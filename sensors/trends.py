"""The trend sensor: a moved feed refreshes the trends table; new hot topics mint episodes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from assets import episode_job, trends_job
from instance.minting import Minter, run_request
from instance.state import live_templates
from microdrama.trends.feed import TrendFeedError, load_trend_feed
from microdrama.trends.topics import TopicMemory, hot_topics, matcher
from microdrama.words.template import genre_profile
from resources import CatalogResource, MediaStoreResource, TrendFeed

HOT_SCORE = 0.8
MAX_NEW_PER_TICK = 3
REMEMBERED_TOPICS = 500  # the cursor keeps the latest ones: a tick's cost must not grow forever


@dg.sensor(
    jobs=[trends_job, episode_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def trend_sensor(
    context: dg.SensorEvaluationContext,
    trend_feed: TrendFeed,
    media: MediaStoreResource,
    catalog: CatalogResource,
) -> dg.SensorResult:
    """Watch the trend feed.

    When the file changes, re-materialize the trends table. Each new topic scoring at least
    0.8 mints a pilot of the genre it fits best (MiniLM similarity to each template), unless it
    says what one of the last 500 topics made said. An unchanged feed costs one hash.
    """
    state = json.loads(context.cursor) if context.cursor else {"feed": "", "topics": []}
    path = Path(trend_feed.path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError as exc:
        return dg.SensorResult(skip_reason=f"trend feed unusable: {exc}", cursor=context.cursor)
    if digest == state["feed"]:
        return dg.SensorResult(skip_reason="the trend feed has not changed", cursor=context.cursor)
    try:
        feed = load_trend_feed(path)
    except TrendFeedError as exc:
        return dg.SensorResult(skip_reason=f"trend feed unusable: {exc}", cursor=context.cursor)
    runs = [dg.RunRequest(job_name=trends_job.name, run_key=f"trends:{digest}")]
    state["feed"] = digest
    live = live_templates(context.instance, media.store())
    hashes = {template.genre: content_hash for template, content_hash in live}
    fresh = [t for t in hot_topics(feed, HOT_SCORE)["topic"] if t not in state["topics"]]
    minter = Minter(context.instance, catalog.catalog())
    if live and fresh:
        model = matcher()
        fit = model.fit(fresh, {t.genre: genre_profile(t) for t, _ in live})
        memory = TopicMemory(model, state["topics"])
        for topic in fresh:
            if memory.knows(topic):
                context.log.info(f"skipped {topic!r}: too close to a topic already made")
            elif len(minter.minted) < MAX_NEW_PER_TICK:
                genre = str(fit.loc[topic].idxmax())
                made = minter.pilot(genre, hashes[genre], "trend", topic=topic)
                runs.append(run_request(made, **{"microdrama/topic": topic[:200]}))
            else:
                state["feed"] = ""  # over this tick's budget: look at the feed again next tick
                continue
            state["topics"] = [*state["topics"], topic][-REMEMBERED_TOPICS:]
            memory.remember(topic)
    return dg.SensorResult(
        run_requests=runs,
        cursor=json.dumps(state),
        dynamic_partitions_requests=minter.requests(),
        asset_events=minter.observations(),
    )
