import dagster as dg
from pydantic import Field

from assets.catalog import catalog
from microdrama.gallery import build_gallery
from resources import MediaStoreResource


class GalleryConfig(dg.Config):
    dagster_url: str = Field(
        default="http://127.0.0.1:3000",
        description="the Dagster UI each episode links to",
    )


@dg.asset(deps=[catalog], group_name="release", code_version="1", kinds={"html"})
def gallery(config: GalleryConfig, media: MediaStoreResource) -> dg.MaterializeResult:
    """A static page and JSON feed of the catalog: posters, players per locale with subtitles,
    check results and a link to each episode in Dagster. Open gallery/index.html from disk."""
    store = media.store()
    index, count = build_gallery(
        store, store.read_table(store.table_path("catalog")), config.dagster_url
    )
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(index)),
            "feed": dg.MetadataValue.path(str(index.with_name("gallery.json"))),
            "episodes": count,
        }
    )
