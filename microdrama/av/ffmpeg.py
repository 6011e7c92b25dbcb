"""Thin wrappers around the ffmpeg and ffprobe binaries, with errors that show ffmpeg's words."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path


class FFmpegError(RuntimeError):
    pass


def binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FFmpegError(f"{name} is not installed; run `make setup` (apt-get install ffmpeg)")
    return path


def run_ffmpeg(args: list[str], loglevel: str = "error") -> str:
    """Run ffmpeg; return what it logged (at `loglevel`), or raise with its last words."""
    proc = subprocess.run(
        [binary("ffmpeg"), "-hide_banner", "-nostats", "-loglevel", loglevel, "-y", *args],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise FFmpegError(f"ffmpeg failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc.stderr


def probe(path: Path) -> dict:
    """ffprobe's JSON view of a media file: format and streams."""
    proc = subprocess.run(
        [
            binary("ffprobe"),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise FFmpegError(f"ffprobe could not read {path}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)
