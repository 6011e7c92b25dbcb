"""The `microdrama` command: render, backfill, validate, catalog, migrate, audience and bench.

`render` drives the Dagster code location in-process, so the command line and the UI share
one instance, one asset graph and one history. Each subcommand's parser names its handler
(`set_defaults(handler=...)`), a small function in the module of what it does: render.py
(render, backfill), validate.py, catalog.py (catalog, migrate), audience.py and bench.py.
Dagster is imported only by the handlers that need it.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from commands import audience, bench, catalog, render, verify, worker
from commands.audience import through_day
from commands.validate import mood_problems, validate
from commands.validate import run as validate_templates

__all__ = ["main", "mood_problems", "parser", "through_day", "validate"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="microdrama", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)
    p = commands.add_parser("render", help="make one episode through Dagster")
    p.set_defaults(handler=render.render)
    p.add_argument("--genre", help="make a new pilot of this genre")
    p.add_argument("--series", help="make the next episode of this series, e.g. revenge-0042")
    p.add_argument("--episode", help="make (or bring back) this episode, e.g. revenge-0042-01")
    p.add_argument("--seed", type=int, help="story seed (default: derived from the key)")
    p.add_argument(
        "--locales-only",
        action="store_true",
        help="with --episode: dub and package MICRODRAMA_LOCALES onto it, keeping its picture",
    )
    p.add_argument(
        "--until", metavar="ASSET", help="make its assets only up to this one, e.g. script"
    )
    p = commands.add_parser("validate", help="check every genre template")
    p.set_defaults(handler=validate_templates)
    p.add_argument(
        "--templates", type=Path, default=None, help="default: MICRODRAMA_TEMPLATES, or templates/"
    )
    p = commands.add_parser("bench", help="time one episode: its package with three target locales")
    p.set_defaults(handler=bench.run)
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
    what.add_argument(
        "--cluster",
        action="store_true",
        help="instead: a genre backfill in process and on one and two Celery workers, the "
        "dispatch cost, warm model loads, and a worker killed mid-backfill",
    )
    p.add_argument(
        "--episodes", type=int, default=None, help="episodes for --models (4) or --cluster (12)"
    )
    p.add_argument("--markets", type=int, default=20, help="simulated markets for --audience")
    p = commands.add_parser("backfill", help="backfill a genre or a series through the webserver")
    p.set_defaults(handler=render.backfill)
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
    p.set_defaults(handler=catalog.rebuild)
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
    s.set_defaults(handler=audience.simulate)
    s.add_argument(
        "--through",
        type=through_day,
        default=date.today(),
        help="the export's day: YYYY-MM-DD, or +N for N days from today (default: today)",
    )
    s.add_argument("--seed", type=int, default=0, help="which market (its hidden tastes)")
    s.add_argument("--window", type=int, default=7, help="days of figures in one export")
    s = steps.add_parser(
        "update", help="take the feed in, update the model, show it and the next decisions"
    )
    s.set_defaults(handler=audience.update)
    s = steps.add_parser(
        "decisions", help="the audit trail: decisions, verdicts and quarantined rows since a day"
    )
    s.set_defaults(handler=audience.decisions)
    s.add_argument(
        "--since",
        type=through_day,
        default=date.today() - timedelta(days=7),
        help="the first day: YYYY-MM-DD, or +N / -N days from today (default: a week ago)",
    )
    p = commands.add_parser(
        "migrate", help="carry a genre x episode instance and media root over to episode keys"
    )
    p.set_defaults(handler=catalog.migrate)
    worker.add_parser(commands)
    verify.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)
