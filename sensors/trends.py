"""The trend sensor: a moved feed refreshes the trends table; new hot topics mint episodes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from assets import episode_job, trends_job
from assets.partitions import episode_partition_key
from microdrama.trending import TopicMemory, hot_topics, matcher
from microdrama.trends import TrendFeedError, load_trend_feed
from resources import MediaStoreResource, TrendFeed
from sensors.state import SlotMinter, live_templates

HOT_SCORE = 0.8
MAX_NEW_PER_TICK = 3


@dg.sensor(
    jobs=[trends_job, episode_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def trend_sensor(
    context: dg.SensorEvaluationContext, trend_feed: TrendFeed, media: MediaStoreResource
) -> dg.SensorResult:
    """Watch the trend feed.

    When the file changes, re-materialize the trends table. Each new topic scoring at least
    0.8 mints an episode of the genre it fits best (MiniLM similarity to each template),
    unless it says what an already-made topic said.
    """
    state = json.loads(context.cursor) if context.cursor else {"feed": "", "topics": []}
    path = Path(trend_feed.path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        feed = load_trend_feed(path)
    except (OSError, TrendFeedError) as exc:
        return dg.SensorResult(skip_reason=f"trend feed unusable: {exc}", cursor=context.cursor)
    runs = []
    if digest != state["feed"]:
        runs.append(dg.RunRequest(job_name=trends_job.name, run_key=f"trends:{digest}"))
        state["feed"] = digest
    templates = live_templates(context.instance, media.store())
    fresh = [t for t in hot_topics(feed, HOT_SCORE)["topic"] if t not in state["topics"]]
    minter = SlotMinter(context.instance)
    if templates and fresh:
        model = matcher()
        fit = model.fit(fresh, templates)
        memory = TopicMemory(model, state["topics"])
        for topic in fresh:
            if memory.knows(topic):
                context.log.info(f"skipped {topic!r}: too close to a topic already made")
            elif len(minter.minted) < MAX_NEW_PER_TICK:
                genre = str(fit.loc[topic].idxmax())
                key = str(episode_partition_key(genre, minter.mint()))
                runs.append(
                    dg.RunRequest(
                        job_name=episode_job.name,
                        partition_key=key,
                        run_key=f"trend:{key}",
                        run_config={"ops": {"premise": {"config": {"topic": topic}}}},
                        tags={"microdrama/reason": "trend", "microdrama/topic": topic[:200]},
                    )
                )
            else:
                continue  # over this tick's budget: left for the next tick
            state["topics"].append(topic)
            memory.remember(topic)
    return dg.SensorResult(
        run_requests=runs,
        skip_reason=None if runs else "no feed change and no new hot topic",
        cursor=json.dumps(state),
        dynamic_partitions_requests=minter.requests(),
    )
