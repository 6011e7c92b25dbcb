"""The gates of moving shots: a generated clip's, before it stands in for the eased pan over
its keyframe; the motion comic's mouths; and the delivered picture's motion in every shot.

A clip must fill its shot exactly (frames, size, rate), and must actually move and show
something: a video model that returns its input unchanged, or noise averaged to grey, is worse
than the pan, so such a clip is refused and the shot keeps the pan.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from microdrama.av.ffmpeg import binary, probe, run_ffmpeg
from microdrama.av.wav import read_wav
from microdrama.motion.clip import frame_count
from microdrama.motion.comic import ShotRig, Spoken, talking_frames
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


def mouth_gate(rigs: list[ShotRig], spoken: list[Spoken]) -> Gate:
    """`mouths`: a character's mouth is open only on frames where one of its lines sounds (the
    source dub as placed on the picture), and every line opens its speaker's mouth where its
    speaker is in frame."""
    fps = rigs[0].camera.fps if rigs else 24
    windows: dict[str, set[int]] = {}
    for line in spoken:
        rate, samples = read_wav(line.wav)
        frames = math.ceil(samples.size / rate * fps)
        windows.setdefault(line.speaker, set()).update(
            range(line.start_frame, line.start_frame + frames)
        )
    problems = []
    talking = talking_frames(rigs)
    for who, frames in talking.items():
        stray = sorted(set(frames) - windows.get(who, set()))
        if stray:
            problems.append(f"{who}'s mouth moves on {len(stray)} silent frames from {stray[0]}")
    mute = sorted(
        who
        for who, frames in windows.items()
        if frames & in_frame(rigs).get(who, set()) and not talking.get(who)
    )
    if mute:
        problems.append(f"{', '.join(mute)} never open their mouths while they speak")
    opened = sum(len(f) for f in talking.values())
    return gate("mouths", problems, f"mouths open on {opened} frames, all during their lines")


FROZEN_LUMA = 0.02  # mean absolute luma difference (0-255) under which two frames are one
GATE_SIZE = (180, 320)  # frames compared at this size: a one-pixel move still shows


def frozen_spans(video: Path, frame_counts: list[int]) -> list[int]:
    """Per shot, its longest run of frames identical to the one before (decoded from `video`,
    in grey at GATE_SIZE), in frames."""
    raw = subprocess.run(
        [
            binary("ffmpeg"),
            *("-hide_banner", "-nostats", "-loglevel", "error", "-i", str(video)),
            *("-vf", f"scale={GATE_SIZE[0]}:{GATE_SIZE[1]}:flags=area,format=gray"),
            *("-f", "rawvideo", "-"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    luma = np.frombuffer(raw, np.uint8).reshape(-1, GATE_SIZE[1], GATE_SIZE[0])
    same = [False] + [
        float(np.abs(a.astype(np.int16) - b).mean()) < FROZEN_LUMA
        for a, b in itertools.pairwise(luma)
    ]
    spans, first = [], 0
    for count in frame_counts:
        longest = run = 0
        for n in range(first + 1, min(first + count, len(same))):  # a cut is never frozen
            run = run + 1 if same[n] else 0
            longest = max(longest, run)
        spans.append(longest + 1 if count else 0)
        first += count
    return spans


def frozen_gate(video: Path, frame_counts: list[int], fps: int, hold: float) -> Gate:
    """`moving`: no shot of the picture as delivered (`video`, decoded) shows one frame for
    longer than `hold` seconds."""
    spans = frozen_spans(video, frame_counts)
    limit = max(1, round(hold * fps))
    problems = [
        f"shot {n} holds one frame for {span / fps:.2f}s, at most {hold:.2f}s"
        for n, span in enumerate(spans)
        if span > limit
    ]
    longest = max(spans, default=0) / fps
    return gate(
        "moving",
        problems,
        f"every shot moves; the longest still is {longest:.2f}s",
        longest_still=round(longest, 3),
    )


def in_frame(rigs: list[ShotRig]) -> dict[str, set[int]]:
    """Per character, the episode's frames of the shots it is in: a line spoken while its
    speaker is off screen opens no mouth."""
    out: dict[str, set[int]] = {}
    first = 0
    for rig in rigs:
        for puppet in rig.puppets:
            out.setdefault(puppet.id, set()).update(range(first, first + rig.camera.frames))
        first += rig.camera.frames
    return out
