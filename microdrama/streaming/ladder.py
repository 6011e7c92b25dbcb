"""The picture, encoded once for every locale: a ladder of H.264 renditions in HLS (fMP4).

Both rungs come from one ffmpeg run over one filter graph: the stills are decoded and panned
once, then split, and the lower rung is scaled from the full one. Keyframes fall every
`SEGMENT_SECONDS` in both rungs, so their segments line up and a player can switch between them.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import m3u8
import numpy as np

from microdrama.av.ffmpeg import probe
from microdrama.av.timing import ShotTiming
from microdrama.picture.compositor import (
    Frames,
    VideoSettings,
    atlas_input,
    clip_inputs,
    metadata_args,
    overlay_chains,
    picture_chains,
    picture_input,
    run_picture,
    shot_frame_counts,
)
from microdrama.streaming.master import VideoRendition, avc1

SEGMENT_SECONDS = 4
POSTER_SECONDS = 1.5
PLAYLIST = "index.m3u8"


@dataclass(frozen=True)
class Rung:
    name: str
    width: int
    height: int


def ladder(settings: VideoSettings) -> list[Rung]:
    """The configured 9:16 size and one rung at half of it (even sizes, as 4:2:0 needs)."""
    w, h = settings.width, settings.height
    low = w // 4 * 2
    return [Rung(f"{w}p", w, h), Rung(f"{low}p", low, h // 4 * 2)]


def hls_args(folder: Path, segment_seconds: int = SEGMENT_SECONDS) -> list[str]:
    """ffmpeg's HLS muxer writing a VOD media playlist of fMP4 segments into `folder`."""
    return [
        *("-f", "hls", "-hls_time", str(segment_seconds), "-hls_playlist_type", "vod"),
        *("-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"),
        *("-hls_segment_filename", str(folder / "seg_%03d.m4s"), str(folder / PLAYLIST)),
    ]


def encode_picture(
    keyframes: list[Path],
    shot_types: list[str],
    timings: list[ShotTiming],
    settings: VideoSettings,
    folder: Path,
    poster: Path,
    clips: list[Path | None] | None = None,
    overlays: list[tuple[np.ndarray, int, float, float]] | None = None,
    metadata: dict[str, str] | None = None,
    frames: Frames | None = None,
) -> list[Rung]:
    """Every rung of the caption-free picture into `folder/<rung>/`, and a poster frame from
    the first shot's dialogue, by the same run; return the rungs. The picture is the stills
    (panned, or a shot's clip) or, where given, the composed `frames` of a motion comic.

    `overlays` (RGBA strip, frame top, start, end) are burned into every rung: the
    language-neutral AI-content label, which every locale shares with the picture. `metadata`
    goes into each rung's init segment (the AIGC record, as its `comment`)."""
    rungs = ladder(settings)
    gop = SEGMENT_SECONDS * settings.fps
    counts = shot_frame_counts(timings, settings.fps)
    moving, inputs = clip_inputs(clips or [] if frames is None else [], 1)
    labelled = bool(overlays)
    out = "bare" if labelled else "picture"
    chains = picture_chains(shot_types, counts, settings, out, inputs, frames)
    full, low = rungs
    poster_at = min(POSTER_SECONDS, sum(t.duration for t in timings) / 2)
    if labelled:  # the label goes on the rungs; the gallery's poster stays clean
        chains.append("[bare]split=2[frame0][still]")
        chains.append(f"[picture]split=2[{full.name}][low]")
    else:
        chains.append(f"[picture]split=3[{full.name}][low][still]")
    chains.append(f"[low]scale={low.width}:{low.height}:flags=bicubic[{low.name}]")
    chains.append(f"[still]trim=start={poster_at:.2f},scale=360:-2[poster]")
    outputs = []
    for rung in rungs:
        (folder / rung.name).mkdir(parents=True, exist_ok=True)
        outputs += [
            *("-map", f"[{rung.name}]"),
            *settings.x264_args(),
            *("-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0"),
            *metadata_args(metadata),
            *hls_args(folder / rung.name),
        ]
    with tempfile.TemporaryDirectory(dir=folder, prefix=".stills.") as work:
        label_input: list[str] = []
        if labelled:
            label_input, placed = atlas_input(list(overlays or []), Path(work))
            chains += overlay_chains(placed, 1 + len(inputs), "picture")
        run_picture(
            [
                *picture_input(frames, keyframes, Path(work), settings),
                *moving,
                *label_input,
                *("-filter_complex_threads", "1", "-filter_complex", ";".join(chains)),
                *outputs,
                *("-map", "[poster]", "-frames:v", "1", "-q:v", "4", str(poster)),
            ],
            frames,
        )
    return rungs


def describe_rung(folder: Path, rung: Rung, settings: VideoSettings, base: Path) -> VideoRendition:
    """A rung as the master playlist names it: its URI from `base`, its peak and average bit
    rate from its segments (plus the sound's), and its codec string from ffprobe."""
    playlist = folder / rung.name / PLAYLIST
    segments = m3u8.load(str(playlist)).segments
    sizes = [(playlist.parent / s.uri).stat().st_size * 8 for s in segments]
    seconds = [s.duration for s in segments]
    init = (playlist.parent / "init.mp4").stat().st_size * 8
    sound = settings.audio_bps
    video = next(s for s in probe(playlist)["streams"] if s["codec_type"] == "video")
    return VideoRendition(
        uri=os.path.relpath(playlist, base),
        width=rung.width,
        height=rung.height,
        fps=settings.fps,
        peak_bps=round(max(b / d for b, d in zip(sizes, seconds, strict=True))) + sound,
        average_bps=round((sum(sizes) + init) / sum(seconds)) + sound,
        codec=avc1(video.get("profile", "High"), int(video.get("level", 31))),
    )
