"""`microdrama audience simulate|update`: the learning loop from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta


def through_day(text: str) -> date:
    """YYYY-MM-DD, or +N for N days from today."""
    if text.startswith("+"):
        return date.today() + timedelta(days=int(text[1:]))
    return date.fromisoformat(text)


def simulate(args: argparse.Namespace) -> int:
    """Write the engagement a simulated market gives; print what was written."""
    from microdrama.audience.feed import EngagementFeedError
    from operations.audience import simulate
    from operations.render import RenderError

    try:
        print(json.dumps(simulate(args.through, args.seed, args.window)))
    except (EngagementFeedError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def update(args: argparse.Namespace) -> int:
    """Take the feed in and update the model; show it, the verdicts and the next pilot."""
    from microdrama.audience.feed import EngagementFeedError
    from microdrama.audience.renewal import MIN_PEERS, MIN_PLAYS
    from operations.audience import update
    from operations.render import RenderError

    try:
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
