"""`microdrama bench`: the benchmarks, one handler each picks by its flag."""

from __future__ import annotations

import argparse
import sys
import traceback


def episode(args: argparse.Namespace) -> int:
    """Time one episode: its package with three target locales."""
    from bench.episode import main

    return main()


def models(args: argparse.Namespace) -> int:
    from bench.models import main

    return main(args.episodes if args.episodes is not None else 4)


def scale(args: argparse.Namespace) -> int:
    from bench.scale import main

    return main(args.scale, args.profile)


def audience(args: argparse.Namespace) -> int:
    from bench.audience import main

    return main(args.markets)


def diversity(args: argparse.Namespace) -> int:
    from bench.diversity import main

    return main()


def cluster(args: argparse.Namespace) -> int:
    from bench.cluster import main

    return main(args.episodes if args.episodes is not None else 12)


# the flags that choose another benchmark than the episode's (mutually exclusive), in order
MODES = (
    ("models", models),
    ("scale", scale),
    ("audience", audience),
    ("diversity", diversity),
    ("cluster", cluster),
)


def run(args: argparse.Namespace) -> int:
    """The benchmark the flags name, else the episode's. A step of one of its Dagster runs that
    fails ends the command with its own cause as the last line, the full traceback above."""
    handler = next((handler for flag, handler in MODES if getattr(args, flag)), episode)
    try:
        return handler(args)
    except Exception as exc:
        cause = getattr(exc, "user_exception", None)  # a Dagster step's error wraps the cause
        if cause is None:
            raise
        traceback.print_exc()
        print(f"error: {cause}", file=sys.stderr)
        return 1
