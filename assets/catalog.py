import dagster as dg

from assets.common import EPISODE_BATCH
from assets.localized import localized
from assets.partitions import episode_partitions, episodes_of
from microdrama.catalog.dataset import dataset_dir, row_path
from resources import CatalogResource

RELEASE_GROUP = "release"


@dg.asset(
    partitions_def=episode_partitions,
    deps=[localized],
    group_name=RELEASE_GROUP,
    code_version="2",
    kinds={"parquet", "sql"},
    backfill_policy=EPISODE_BATCH,
)
def catalog(context: dg.AssetExecutionContext, catalog: CatalogResource) -> dg.MaterializeResult:
    """The episode's row in the catalog: its own file in the parquet dataset (by genre and day)
    and its row in the SQL table. The same cost at the 100th episode and the 100,000th."""
    books = catalog.catalog()
    for key in episodes_of(context):
        row = books.record(key)
        context.add_asset_metadata(
            {
                "path": dg.MetadataValue.path(str(row_path(books.store, row))),
                "title": row["title"],
                "seconds": row["seconds"],
                "locales": row["locales"],
                "status": row["status"],
            },
            partition_key=str(key),
        )
    return dg.MaterializeResult(
        metadata={"dataset": dg.MetadataValue.path(str(dataset_dir(books.store)))}
    )
