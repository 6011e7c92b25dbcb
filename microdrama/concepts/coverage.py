"""Which library lines a locale's phrasebook cannot translate, named by file and field.

Only the source locale's text is written in the library; `es` and `zh-CN` take every line,
title, place and prop name from their phrasebooks (zh-CN has no machine translator), so
`microdrama validate` lists each gap before any render meets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from microdrama.concepts.library import Library
from microdrama.locales.translation import Phrasebook

PHRASEBOOK_LOCALES = ("es", "zh-CN")


def library_texts(library: Library, directory: Path) -> Iterator[tuple[str, str, str]]:
    """(where, text, kind) for every text a viewer sees: kind 'phrase' or 'term'."""
    for name, trope in library.tropes.items():
        for field, text in trope.texts():
            if ".say" in field:
                yield f"{directory / 'tropes' / name}.yaml: {field}", text, "phrase"
    secrets = directory / "library" / "secrets.yaml"
    for name, secret in library.secrets.items():
        for part, shot in (("plant", secret.plant), ("reveal", secret.reveal)):
            for n, line in enumerate(shot.lines):
                for text in line.say:
                    yield f"{secrets}: {name}.{part}.lines.{n}.say", text, "phrase"
    for name, genre in library.genres.items():
        for n, text in enumerate(genre.titles):
            yield f"{directory / name}.yaml: titles.{n}", text, "phrase"
    for backdrop in library.backdrops.values():
        path = directory / "library" / "backdrops.yaml"
        yield f"{path}: {backdrop.id}.name", backdrop.name, "term"
    for prop in library.objects.values():
        yield f"{directory / 'library' / 'objects.yaml'}: {prop.id}.name", prop.name, "term"


def missing_translations(
    library: Library,
    directory: Path,
    phrasebooks: Path,
    locales: tuple[str, ...] = PHRASEBOOK_LOCALES,
) -> list[str]:
    """One line per text a locale's phrasebook lacks."""
    out = []
    for locale in locales:
        book = Phrasebook.for_locale(phrasebooks, locale) or Phrasebook(locale)
        for where, text, kind in library_texts(library, directory):
            table = book.phrases if kind == "phrase" else book.terms
            if text not in table:
                out.append(f"{where}: no {locale} translation for {text!r}")
    return out
