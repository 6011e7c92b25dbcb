"""`microdrama bench`: the benchmarks, one handler each picks by its flag."""

from __future__ import annotations

import argparse


def episode(args: argparse.Namespace) -> int:
    """Time one episode: its package with three target locales."""
    from bench.episode import main

    return main()


def models(args: argparse.Namespace) -> int:
    from bench.models import main

    return main(args.episodes)


def scale(args: argparse.Namespace) -> int:
    from bench.scale import main

    return main(args.scale, args.profile)


def audience(args: argparse.Namespace) -> int:
    from bench.audience import main

    return main(args.markets)


def diversity(args: argparse.Namespace) -> int:
    from bench.diversity import main

    return main()


# the flags that choose another benchmark than the episode's (mutually exclusive), in order
MODES = (("models", models), ("scale", scale), ("audience", audience), ("diversity", diversity))


def run(args: argparse.Namespace) -> int:
    """The benchmark the flags name, else the episode's."""
    handler = next((handler for flag, handler in MODES if getattr(args, flag)), episode)
    return handler(args)
