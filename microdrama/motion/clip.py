"""A generated clip held to its shot's timing, written as a near-lossless intermediate MP4.

A video model makes a fixed number of frames (14 for SVD) whatever the shot's length, so the
frames are spread evenly over the shot: frame k of the shot shows the model's motion at the same
fraction of the way through, blended between the two nearest generated frames. Timing thus
always comes from the script, and a model's frame rate never stretches or cuts a shot.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from microdrama.av.ffmpeg import FFmpegError, binary

CRF = 12  # near-lossless: the compositor encodes the cut again


def frame_count(seconds: float, fps: int) -> int:
    """A shot's frames at `fps`: at least one."""
    return max(1, round(seconds * fps))


def spread(frames: np.ndarray, count: int) -> Iterator[np.ndarray]:
    """`count` uint8 frames from `frames` (n, h, w, 3), evenly across them, blended in between."""
    last = len(frames) - 1
    for position in np.linspace(0, last, count) if count > 1 else [0.0]:
        low = int(position)
        weight = position - low
        mixed = (1 - weight) * frames[low] + weight * frames[min(low + 1, last)]
        yield mixed.round().astype(np.uint8)


def write_clip(
    frames: np.ndarray, path: Path, seconds: float, fps: int, width: int, height: int
) -> Path:
    """`frames` (n, h, w, 3) uint8 spread over the shot's frames, cropped to fill width x height."""
    count = frame_count(seconds, fps)
    h, w = frames.shape[1:3]
    command = [
        binary("ffmpeg"),
        *("-hide_banner", "-nostats", "-loglevel", "error", "-y"),
        *("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-framerate", str(fps)),
        *("-i", "-", "-vf"),
        f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1",
        *("-c:v", "libx264", "-preset", "ultrafast", "-crf", str(CRF), "-pix_fmt", "yuv420p"),
        *("-an", str(path)),
    ]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        try:
            for frame in spread(frames, count):
                proc.stdin.write(frame.tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its words say why
        said = proc.communicate()[1].decode(errors="replace")  # closes stdin, waits
    if proc.returncode != 0:
        raise FFmpegError(f"ffmpeg could not write {path.name}: {said.strip()[-2000:]}")
    return path
