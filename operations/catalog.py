"""`microdrama catalog --rebuild`: the catalog and the gallery anew from the media store."""

from __future__ import annotations

from microdrama.catalog.catalog import Rebuilt
from microdrama.gallery import pages
from operations.resources import resources


def rebuild() -> tuple[Rebuilt, int]:
    with resources("catalog", "localization") as built:
        books = built.catalog.catalog()
        rebuilt = books.rebuild()
        locales = built.localization.locale_list()
        written = pages.rebuild(
            books.store, books.db, locales, built.catalog.dagster_url, built.catalog.player()
        )
    return rebuilt, written
