"""`microdrama catalog --rebuild` and `microdrama migrate`: the catalog and the instance, kept."""

from __future__ import annotations

import argparse
import json
import sys


def rebuild(args: argparse.Namespace) -> int:
    """Rebuild the catalog and the gallery; fail when a row differed from the incremental one."""
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


def migrate(args: argparse.Namespace) -> int:
    """Carry a genre x episode instance and media root over to episode keys."""
    from operations.migrate import MigrationError, migrate

    try:
        report = migrate()
    except MigrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False))
    return 0
