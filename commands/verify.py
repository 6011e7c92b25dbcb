"""`microdrama verify FILE`: a delivered file's AIGC record and C2PA validation.

FILE is a burned-in MP4, an HLS master playlist (its session data, aigc.json and every video
and sound rendition's sidecar manifest) or one rendition's media playlist. Exits 1 when a
record or a manifest is missing or does not validate, so a script or a platform's intake can
stop on it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from microdrama.provenance.verify import verify


def run(args: argparse.Namespace) -> int:
    """Print each file's record and credential status; 0 only if every one is valid."""
    path = Path(args.file)
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    checks = verify(path)
    for check in checks:
        print("\n".join(check.lines()))
    return 0 if checks and all(c.ok for c in checks) else 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("verify", help="print a file's AIGC record and C2PA validation")
    p.add_argument("file", help="a burned-in MP4, a master playlist or a media playlist")
    p.set_defaults(handler=run)
