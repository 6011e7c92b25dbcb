import dagster as dg

from assets.catalog import RELEASE_GROUP, catalog
from assets.common import EPISODE_BATCH
from assets.partitions import episode_partitions, episodes_of
from microdrama.gallery import pages
from resources import CatalogResource, Localization


@dg.asset(
    partitions_def=episode_partitions,
    deps=[catalog],
    group_name=RELEASE_GROUP,
    code_version="2",
    kinds={"html"},
    backfill_policy=EPISODE_BATCH,
)
def gallery(
    context: dg.AssetExecutionContext,
    catalog: CatalogResource,
    localization: Localization,
) -> dg.MaterializeResult:
    """The episode's card in the static gallery: its genre's day page, its series page and the
    index are rewritten from the catalog. Open gallery/index.html from disk or any server."""
    books = catalog.catalog()
    keys = [str(key) for key in episodes_of(context)]
    rows = books.db.rows(keys=keys).to_dict("records")
    written = pages.update(
        books.store,
        books.db,
        rows,
        localization.locale_list(),
        catalog.dagster_url,
        catalog.player(),
    )
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(pages.gallery_dir(books.store) / "index.html")),
            "pages_written": ", ".join(written),
        }
    )
