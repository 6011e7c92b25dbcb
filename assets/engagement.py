"""The engagement feed (an external asset the engagement sensor observes) and the engagement
table made from it."""

import hashlib
from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from microdrama.audience.engagement import difference, snapshots
from microdrama.audience.feed import STARTS, read_raw, validate
from microdrama.audience.tables import AudienceTables
from microdrama.words.template_table import markdown_table
from resources import CatalogResource, EngagementFeed, MediaStoreResource

AUDIENCE_GROUP = "audience"


engagement_feed = dg.AssetSpec(
    "engagement_feed",
    group_name=AUDIENCE_GROUP,
    kinds={"csv"},
    description="Platform engagement exports (MICRODRAMA_ENGAGEMENT): cumulative per episode, "
    "locale, platform and day. The engagement sensor observes it; its data version is a digest "
    "of its content, so it changes only when the content does.",
)


def frame_digest(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=False).values.tobytes()
    return hashlib.sha256(hashed).hexdigest()[:16]


@dg.asset(
    deps=[engagement_feed],
    group_name=AUDIENCE_GROUP,
    code_version="1",
    kinds={"pandas", "parquet"},
)
def engagement(
    media: MediaStoreResource, catalog: CatalogResource, engagement_source: EngagementFeed
) -> dg.MaterializeResult:
    """Daily figures per episode, locale and platform, differenced from the cumulative exports.

    Bad rows (unknown episodes, bad dates, negative, fractional or non-numeric counts,
    completions above plays, duplicates, cumulative counts that fall) are appended to the
    engagement_quarantine dataset (by ingest day, with their ingest and reason: the audit
    trail `microdrama audience decisions` lists); the good ones are used. The optional
    `next_episode_starts` column is carried through where the feed has it.
    """
    location = engagement_source.resolved()
    raw = read_raw(location)
    usable, bad = validate(raw, catalog.database().known, location)
    tables = AudienceTables(media.store())
    increments, state, fell, superseded = difference(tables.state(), snapshots(usable))
    quarantined = pd.concat([bad, fell.astype(str)], ignore_index=True)
    now = datetime.now(UTC)
    ingest = now.strftime("%Y%m%dT%H%M%S") + "-" + frame_digest(raw)[:8]
    tables.record_ingest(ingest, increments, state, quarantined, now.date().isoformat())
    by_day = increments.groupby("day")[["plays", "completions"]].sum().reset_index()
    return dg.MaterializeResult(
        data_version=dg.DataVersion(frame_digest(state)),
        metadata={
            "feed": location,
            "rows": len(raw),
            "used": len(usable),
            "quarantined": len(quarantined),
            "quarantine_reasons": dg.MetadataValue.json(
                quarantined["reason"].value_counts().to_dict()
            ),
            "quarantine_dataset": dg.MetadataValue.path(str(tables.quarantine_dataset)),
            "ingest": ingest,
            "continuation_reported": STARTS in raw.columns,
            "superseded": superseded,
            "new_daily_rows": len(increments),
            "new_plays": int(increments["plays"].sum()),
            "episodes": int(increments["episode"].nunique()),
            "dataset": dg.MetadataValue.path(str(tables.dataset)),
            "by_day": dg.MetadataValue.md(
                markdown_table(by_day, ["day", "plays", "completions"], limit=10)
            ),
        },
    )
