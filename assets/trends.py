import hashlib
from pathlib import Path

import dagster as dg
import pandas as pd

from microdrama.tables import markdown_table, write_table
from microdrama.trends import load_trend_feed
from resources import MediaStoreResource, TrendFeed


@dg.asset(group_name="inputs", code_version="1", kinds={"pandas", "parquet"})
def trends(media: MediaStoreResource, trend_feed: TrendFeed) -> dg.MaterializeResult:
    """The trend feed, typed and cleaned: what topics are hot, when and where."""
    table = load_trend_feed(Path(trend_feed.path))
    path = write_table(table, media.store().table_path("trends"))
    digest = hashlib.sha256(pd.util.hash_pandas_object(table, index=False).values.tobytes())
    hottest = table.sort_values("score", ascending=False).drop_duplicates("topic")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(digest.hexdigest()[:16]),
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "rows": len(table),
            "topics": int(table["topic"].nunique()),
            "hottest": dg.MetadataValue.md(
                markdown_table(hottest, ["topic", "score", "region"], limit=8)
            ),
        },
    )
