"""`microdrama validate`: the templates, music moods and concept library, checked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from microdrama.concepts.coverage import missing_translations
from microdrama.concepts.library import load_library
from microdrama.words.template import load_templates


def validate(directory: Path) -> int:
    """Templates, music moods, the concept library, and every library line a phrasebook cannot
    translate."""
    try:
        loaded, errors = load_templates(directory)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    for error in errors:
        for problem in error.problems:
            print(f"{error.path}: {problem}")
    print(f"{len(loaded)} valid, {len(errors)} invalid template(s) in {directory}", file=sys.stderr)
    untranslatable = phrase_gaps_report(loaded, directory / "phrasebook")
    moods = mood_problems(directory)
    concepts = directory / "concepts"
    if not concepts.is_dir():
        return 1 if errors or moods or untranslatable else 0
    library = load_library(concepts)
    for problem in library.problems:
        print(problem)
    missing = missing_translations(library, concepts, directory / "phrasebook")
    for line in missing:
        print(line)
    print(
        f"{len(library.genres)} concept genre(s), {len(library.tropes)} trope(s); "
        f"{len(library.problems)} library file(s) with problems; "
        f"{len(missing)} line(s) without a phrasebook translation",
        file=sys.stderr,
    )
    return 1 if errors or moods or library.problems or missing or untranslatable else 0


def phrase_gaps_report(loaded: list, phrasebooks: Path) -> int:
    """Print, per genre and locale, each template line and title its phrasebook lacks; return
    how many have no machine translator behind them either (that locale would be left out)."""
    from microdrama.locales.translation import (
        MACHINE_TRANSLATORS,
        phrase_gaps,
        phrasebook_locales,
    )

    locales, blocking = phrasebook_locales(phrasebooks), 0
    for found in loaded:
        gaps = phrase_gaps(found.template, phrasebooks, locales)
        for locale, texts in gaps.items():
            machine = locale in MACHINE_TRANSLATORS
            for text in texts:
                then = "machine-translated, round-trip checked" if machine else "left out"
                print(f"{found.template.genre} {locale}: no phrase for {text!r} ({then})")
            blocking += 0 if machine else len(texts)
        counts = ", ".join(f"{locale} {len(texts)}" for locale, texts in gaps.items())
        print(f"{found.template.genre}: lines without a phrase: {counts}", file=sys.stderr)
    return blocking


def mood_problems(directory: Path) -> list[str]:
    """Print and return what is wrong in the music moods file, if there is one."""
    from microdrama.music.moods import MOODS_FILE, MoodError, load_moods

    if not (directory / MOODS_FILE).exists():
        return []
    try:
        problems = load_moods(directory / MOODS_FILE).problems
    except MoodError as exc:
        problems = [f"{exc.path}: {problem}" for problem in exc.problems]
    for problem in problems:
        print(problem)
    return problems


def run(args: argparse.Namespace) -> int:
    """`validate` on --templates, or else on the configured templates (MICRODRAMA_TEMPLATES:
    reading it imports the resources, and Dagster with them)."""
    if args.templates is not None:
        return validate(args.templates)
    from resources.config import value

    return validate(Path(value("MICRODRAMA_TEMPLATES")))
