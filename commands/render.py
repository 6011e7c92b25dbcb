"""`microdrama render` and `microdrama backfill`: episodes made through Dagster."""

from __future__ import annotations

import argparse
import json
import sys

from microdrama.keys import UnsafeKeyError


def render(args: argparse.Namespace) -> int:
    """Make one episode in-process (or dub new locales onto one) and say where it is."""
    from operations.render import RenderError, add_locales, render

    try:
        if args.locales_only:
            if not args.episode:
                raise RenderError("--locales-only takes an --episode already made")
            outcome = add_locales(args.episode)
        else:
            outcome = render(args.genre, args.episode, args.seed, args.series, until=args.until)
    except (UnsafeKeyError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if "gallery" in outcome:
        print(
            f"Rendered {outcome['episode']} in {outcome['seconds']}s; watch it in "
            f"{outcome['gallery']}; open the lineage with `make dev` (http://127.0.0.1:3000)",
            file=sys.stderr,
        )
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


def backfill(args: argparse.Namespace) -> int:
    """Launch a backfill of a genre or a series through the webserver; print its id."""
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
