import hashlib
from pathlib import Path

import dagster as dg
import pandas as pd

from microdrama.trends.feed import read_trend_feed
from microdrama.words.template_table import markdown_table
from resources import MediaStoreResource, TrendFeed


def feed_source(path: Path) -> str:
    """A digest of the feed file's bytes: while it stays the same, another run of `trends`
    would write the same tables."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else ""


@dg.asset(group_name="inputs", code_version="1", kinds={"pandas", "parquet"})
def trends(media: MediaStoreResource, trend_feed: TrendFeed) -> dg.MaterializeResult:
    """The trend feed, typed and cleaned: what topics are hot, when and where.

    Rows that cannot be trusted (bad dates, scores or topics, duplicates) go to the
    trends_quarantine table with their reason; the good rows are used.
    """
    source = feed_source(Path(trend_feed.path))
    table, quarantined = read_trend_feed(Path(trend_feed.path))
    store = media.store()
    path = store.write_table(table, store.table_path("trends"))
    store.write_table(quarantined, store.table_path("trends_quarantine"))
    reasons = quarantined["reason"].value_counts().to_dict()
    digest = hashlib.sha256(pd.util.hash_pandas_object(table, index=False).values.tobytes())
    hottest = table.sort_values("score", ascending=False).drop_duplicates("topic")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(digest.hexdigest()[:16]),
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "source": source,
            "rows": len(table),
            "quarantined": len(quarantined),
            "quarantine_reasons": dg.MetadataValue.json(reasons),
            "quarantine_path": dg.MetadataValue.path(str(store.table_path("trends_quarantine"))),
            "topics": int(table["topic"].nunique()),
            "hottest": dg.MetadataValue.md(
                markdown_table(hottest, ["topic", "score", "region"], limit=8)
            ),
        },
    )
