import dagster as dg

from assets.cut import cut
from assets.localized import localized
from microdrama.episode import catalog_rows
from microdrama.tables import markdown_table
from resources import MediaStoreResource


@dg.asset(
    deps=[cut, localized], group_name="release", code_version="1", kinds={"pandas", "parquet"}
)
def catalog(media: MediaStoreResource) -> dg.MaterializeResult:
    """Every finished episode, one row each, as parquet that any pandas user can read."""
    store = media.store()
    table = catalog_rows(store)
    path = store.write_table(table, store.table_path("catalog"))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "episodes": len(table),
            "genres": int(table["genre"].nunique()),
            "preview": dg.MetadataValue.md(
                markdown_table(table, ["genre", "episode", "title", "seconds", "locales"])
            ),
        }
    )
