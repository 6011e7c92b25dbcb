"""Thin wrappers around the ffmpeg and ffprobe binaries, with errors that show ffmpeg's words."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
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


def run_ffmpeg_fed(
    args: list[str], chunks: Iterable[bytes | memoryview], loglevel: str = "error"
) -> str:
    """Run ffmpeg reading `chunks` (raw frames, one after another) on its standard input;
    return what it logged, or raise with its last words. Each chunk is written before the
    next is asked for, so a producer may reuse one buffer for every frame."""
    with tempfile.TemporaryFile() as said:
        with subprocess.Popen(
            [binary("ffmpeg"), "-hide_banner", "-nostats", "-loglevel", loglevel, "-y", *args],
            stdin=subprocess.PIPE,
            stderr=said,  # a file, not a pipe: ffmpeg's words can never fill it and stall it
        ) as proc:
            assert proc.stdin is not None
            try:
                for chunk in chunks:
                    proc.stdin.write(chunk)
                proc.stdin.close()
            except BrokenPipeError:
                pass  # ffmpeg stopped early; its words say why
            proc.wait()
        said.seek(0)
        words = said.read().decode(errors="replace")
    if proc.returncode != 0:
        raise FFmpegError(f"ffmpeg failed ({proc.returncode}): {words.strip()[-2000:]}")
    return words
