"""`microdrama audience simulate|update|decisions`: the learning loop from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta


def through_day(text: str) -> date:
    """YYYY-MM-DD, or +N (-N) for N days from (before) today."""
    if text[:1] in "+-" and text[1:].isdigit():
        return date.today() + timedelta(days=int(text))
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
    from operations.audience import update
    from operations.render import RenderError

    try:
        outcome = update()
    except (EngagementFeedError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, picture in outcome["pictures"].items():
        print(f"\n{name.replace('_', ' ')}\n{picture}", file=sys.stderr)
    for verdict in outcome["verdicts"] or [outcome["no_verdict"]]:
        print(f"renewal sensor: {verdict}", file=sys.stderr)
    pilot = outcome["next_pilot"]
    print(
        f"\nnext pilot: {pilot['genre']} ({' + '.join(pilot['tropes']) or 'fixed format'}), "
        f"probability {pilot['propensity']:.2f}: {pilot['reason']}",
        file=sys.stderr,
    )
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


def decisions(args: argparse.Namespace) -> int:
    """The audit trail since a day: decisions and verdicts, then the rows each ingest
    quarantined; a table each on stderr, and both as one JSON object on stdout."""
    from operations.audience import decisions

    found = decisions(args.since.isoformat())
    logged, rejected = found["decisions"], found["quarantined"]
    print(f"decisions and verdicts since {args.since} ({len(logged)}):", file=sys.stderr)
    for row in logged:
        print(
            f"  {row['decided_at'][:19]}  {row['kind']:<6}  {row['key']:<24}  "
            f"p={row['propensity']:.3f}  {row['reason']}",
            file=sys.stderr,
        )
    print(f"quarantined rows since {args.since} ({len(rejected)}):", file=sys.stderr)
    for row in rejected:
        print(
            f"  {row.get('ingest_day', '')}  {row.get('ingest', '')}  row {row.get('row', '?')}: "
            f"{row.get('reason', '')}",
            file=sys.stderr,
        )
    print(json.dumps(found, ensure_ascii=False, default=str))
    return 0
