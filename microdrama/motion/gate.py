"""The gate a generated clip passes before it stands in for the eased pan over its keyframe.

A clip must fill its shot exactly (frames, size, rate), and must actually move and show
something: a video model that returns its input unchanged, or noise averaged to grey, is worse
than the pan, so such a clip is refused and the shot keeps the pan.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from microdrama.av.ffmpeg import probe, run_ffmpeg
from microdrama.motion.clip import frame_count
from microdrama.quality.gates import MIN_LUMA_STD, Gate, gate, luma_spread

MIN_MOTION = 1.0  # mean absolute luma difference (0-255) between the first, middle or last frame
THUMBNAIL = (90, 160)  # compared small, so the encoder's noise on a still averages out


def stills(path: Path, frames: list[int]) -> list[Image.Image]:
    """The clip's frames at these indices, as greyscale thumbnails."""
    picked = "+".join(f"eq(n\\,{n})" for n in sorted(set(frames)))
    # renumbered, so that ffmpeg does not repeat frames to fill the gaps between those picked
    graph = f"select={picked},setpts=N/FRAME_RATE/TB,scale={THUMBNAIL[0]}:{THUMBNAIL[1]}"
    with tempfile.TemporaryDirectory() as folder:
        run_ffmpeg(["-i", str(path), "-vf", graph, "-pix_fmt", "gray", f"{folder}/%03d.png"])
        images = []
        for still in sorted(Path(folder).glob("*.png")):
            with Image.open(still) as image:
                images.append(image.copy())
        return images


def motion(images: list[Image.Image]) -> float:
    """The largest mean absolute difference between any two of the images: 0 for a still."""
    luma = [np.asarray(image, dtype=np.float32) for image in images]
    return max(
        (float(np.abs(a - b).mean()) for i, a in enumerate(luma) for b in luma[i + 1 :]),
        default=0.0,
    )


def clip_gate(path: Path, seconds: float, width: int, height: int, fps: int) -> Gate:
    """`motion`: the clip fills the shot (±1 frame) at its size and rate, moves, is not blank."""
    video = next((s for s in probe(path)["streams"] if s["codec_type"] == "video"), None)
    if video is None:
        return gate("motion", [f"{path.name} has no video stream"], "")
    expected = frame_count(seconds, fps)
    rate = video.get("avg_frame_rate", "0/1")
    found_fps = float(Fraction(rate)) if not rate.endswith("/0") else 0.0
    frames = int(video.get("nb_frames") or round(float(video.get("duration", 0)) * found_fps))
    problems = []
    if abs(frames - expected) > 1:
        problems.append(f"{frames} frames, {expected} for {seconds:.2f}s at {fps} fps")
    if (video["width"], video["height"]) != (width, height):
        problems.append(f"{video['width']}x{video['height']}, not {width}x{height}")
    if abs(found_fps - fps) > 0.01:
        problems.append(f"{found_fps:g} fps, not {fps}")
    images = stills(path, [0, frames // 2, frames - 1])
    moved = motion(images)
    spread = min((luma_spread(image) for image in images), default=0.0)
    if moved < MIN_MOTION:
        problems.append(f"frozen: frames differ by {moved:.2f} on average, at least {MIN_MOTION:g}")
    if spread < MIN_LUMA_STD:
        problems.append(f"blank: luma spread {spread:.1f}, at least {MIN_LUMA_STD:g}")
    return gate(
        "motion",
        problems,
        f"{frames} frames at {fps} fps, {width}x{height}, motion {moved:.1f}",
        frames=frames,
        motion=round(moved, 2),
        luma_spread=round(spread, 2),
    )
