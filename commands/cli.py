"""The `microdrama` command: render, backfill, validate, catalog, migrate, audience and bench.

`render` drives the Dagster code location in-process, so the command line and the UI share
one instance, one asset graph and one history. Dagster is imported only by the commands that
need it; the rest of this package never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from microdrama.concepts.coverage import missing_translations
from microdrama.concepts.library import load_library
from microdrama.keys import UnsafeKeyError
from microdrama.words.template import load_templates

REPO = Path(__file__).resolve().parent.parent


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
    moods = mood_problems(directory)
    concepts = directory / "concepts"
    if not concepts.is_dir():
        return 1 if errors or moods else 0
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
    return 1 if errors or moods or library.problems or missing else 0


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


def through_day(text: str) -> date:
    if text.startswith("+"):
        return date.today() + timedelta(days=int(text[1:]))
    return date.fromisoformat(text)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="microdrama", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)
    p = commands.add_parser("render", help="make one episode through Dagster")
    p.add_argument("--genre", help="make a new pilot of this genre")
    p.add_argument("--series", help="make the next episode of this series, e.g. revenge-0042")
    p.add_argument("--episode", help="make (or bring back) this episode, e.g. revenge-0042-01")
    p.add_argument("--seed", type=int, help="story seed (default: derived from the key)")
    p.add_argument(
        "--locales-only",
        action="store_true",
        help="with --episode: dub and package MICRODRAMA_LOCALES onto it, keeping its picture",
    )
    p = commands.add_parser("validate", help="check every genre template")
    p.add_argument(
        "--templates",
        type=Path,
        default=Path(os.environ.get("MICRODRAMA_TEMPLATES", REPO / "templates")),
    )
    p = commands.add_parser("bench", help="time one episode: its package with three target locales")
    what = p.add_mutually_exclusive_group()
    what.add_argument(
        "--models",
        action="store_true",
        help="instead: seconds per episode in each model backend (MICRODRAMA_* choose them)",
    )
    what.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="instead: mint N episodes as the cadence does (no video) and measure what grows",
    )
    what.add_argument(
        "--diversity",
        action="store_true",
        help="instead: draw 1,000 pilots and a 10-episode series per concept genre and measure "
        "how different they are",
    )
    what.add_argument(
        "--audience",
        action="store_true",
        help="instead: run the learning loop on simulated markets for three policies",
    )
    p.add_argument(
        "--profile",
        choices=["embedded", "production"],
        default="embedded",
        help="the instance --scale mints into: SQLite, or deploy/dagster.yaml on a fresh "
        "database of the DAGSTER_PG_* Postgres server, dropped afterwards",
    )
    p.add_argument("--episodes", type=int, default=4, help="episodes for --models")
    p.add_argument("--markets", type=int, default=20, help="simulated markets for --audience")
    p = commands.add_parser("backfill", help="backfill a genre or a series through the webserver")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--genre", help="every live episode of this genre")
    which.add_argument("--series", help="every live episode of this series, e.g. revenge-0042")
    p.add_argument("--episodes", type=int, help="instead: N new pilots of the --genre")
    p.add_argument(
        "--locales-only",
        action="store_true",
        help="remake only the dubs and the HLS package (a locale added), not the picture",
    )
    p.add_argument("--url", default="http://127.0.0.1:3000")
    p = commands.add_parser("catalog", help="check or rebuild the catalog")
    p.add_argument(
        "--rebuild",
        action="store_true",
        required=True,
        help="rebuild the catalog and the gallery from the media store and report every row "
        "that differed from the incremental catalog",
    )
    p = commands.add_parser("audience", help="the learning loop: simulate a market, update")
    steps = p.add_subparsers(dest="step", required=True)
    s = steps.add_parser("simulate", help="write the engagement a simulated market gives")
    s.add_argument(
        "--through",
        type=through_day,
        default=date.today(),
        help="the export's day: YYYY-MM-DD, or +N for N days from today (default: today)",
    )
    s.add_argument("--seed", type=int, default=0, help="which market (its hidden tastes)")
    s.add_argument("--window", type=int, default=7, help="days of figures in one export")
    steps.add_parser(
        "update", help="take the feed in, update the model, show it and the next decisions"
    )
    commands.add_parser(
        "migrate", help="carry a genre x episode instance and media root over to episode keys"
    )
    return top


def audience(args: argparse.Namespace) -> int:
    from microdrama.audience.feed import EngagementFeedError
    from microdrama.audience.renewal import MIN_PEERS, MIN_PLAYS
    from operations.audience import simulate, update
    from operations.render import RenderError

    try:
        if args.step == "simulate":
            print(json.dumps(simulate(args.through, args.seed, args.window)))
            return 0
        outcome = update()
    except (EngagementFeedError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, picture in outcome["pictures"].items():
        print(f"\n{name.replace('_', ' ')}\n{picture}", file=sys.stderr)
    for verdict in outcome["verdicts"] or [
        f"no verdict yet (a genre needs {MIN_PEERS} episodes with {MIN_PLAYS} plays)"
    ]:
        print(f"renewal sensor: {verdict}", file=sys.stderr)
    pilot = outcome["next_pilot"]
    print(
        f"\nnext pilot: {pilot['genre']} ({' + '.join(pilot['tropes']) or 'fixed format'}), "
        f"probability {pilot['propensity']:.2f}: {pilot['reason']}",
        file=sys.stderr,
    )
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "validate":
        return validate(args.templates)
    if args.command == "backfill":
        from operations.backfill import BackfillError, launch_backfill

        try:
            backfill_id, partitions = launch_backfill(
                args.url, args.genre, args.series, args.episodes, args.locales_only
            )
        except (BackfillError, UnsafeKeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(
            f"launched backfill of {len(partitions)} episode(s): {', '.join(partitions)}",
            file=sys.stderr,
        )
        print(backfill_id)
        return 0
    if args.command == "bench":
        if args.models:
            from bench.models import main as models_main

            return models_main(args.episodes)
        if args.scale:
            from bench.scale import main as scale_main

            return scale_main(args.scale, args.profile)
        if args.audience:
            from bench.audience import main as audience_main

            return audience_main(args.markets)
        if args.diversity:
            from bench.diversity import main as diversity_main

            return diversity_main()
        from bench.episode import main as bench_main

        return bench_main()
    if args.command == "catalog":
        from operations.catalog import rebuild

        rebuilt, pages = rebuild()
        for difference in rebuilt.differences:
            print(difference)
        print(
            f"rebuilt {rebuilt.rows} catalog row(s) and {pages} gallery page(s); "
            f"{len(rebuilt.differences)} differed from the incremental catalog",
            file=sys.stderr,
        )
        return 1 if rebuilt.differences else 0
    if args.command == "audience":
        return audience(args)
    if args.command == "migrate":
        from operations.migrate import MigrationError, migrate

        try:
            report = migrate()
        except MigrationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(report, ensure_ascii=False))
        return 0
    from operations.render import RenderError, add_locales, render

    try:
        if args.locales_only:
            if not args.episode:
                raise RenderError("--locales-only takes an --episode already made")
            outcome = add_locales(args.episode)
        else:
            outcome = render(args.genre, args.episode, args.seed, args.series)
    except (UnsafeKeyError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"Rendered {outcome['episode']} in {outcome['seconds']}s; watch it in "
        f"{outcome['gallery']}; open the lineage with `make dev` (http://127.0.0.1:3000)",
        file=sys.stderr,
    )
    print(json.dumps(outcome, ensure_ascii=False))
    return 0
