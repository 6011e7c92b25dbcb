"""The compositor: keyframes + dialogue audio -> a vertical H.264/AAC MP4 with captions.

Frames are made in numpy (a slow pan over a slightly enlarged still, captions alpha-blended)
and piped as raw video into a single ffmpeg process, so no episode ever holds all its frames
in memory and no per-frame filter graph is built.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from microdrama.ffmpeg import FFmpegError, binary
from microdrama.media import atomic_path
from microdrama.subtitles import CaptionPainter, Cue
from microdrama.timing import ShotTiming
from microdrama.voice import read_wav, write_wav

OVERSCAN = 1.08
TITLE_SECONDS = 2.5


@dataclass(frozen=True)
class VideoSettings:
    width: int = 720
    height: int = 1280
    fps: int = 24
    crf: int = 23
    preset: str = "superfast"
    audio_rate: int = 48000


def mix_dialogue(clips: list[tuple[float, Path]], total: float, out: Path) -> None:
    """Lay each clip at its start time on a silent track of `total` seconds, then normalize."""
    rate = read_wav(clips[0][1])[0] if clips else 22050
    track = np.zeros(round(total * rate), np.float32)
    for start, path in clips:
        clip_rate, samples = read_wav(path)
        if clip_rate != rate:
            raise ValueError(f"{path}: sample rate {clip_rate} differs from {rate}")
        at = round(start * rate)
        end = min(track.size, at + samples.size)
        track[at:end] += samples[: end - at]
    peak = float(np.abs(track).max()) if track.size else 0.0
    if peak > 0:
        track *= 0.89 / peak  # about -1 dBFS
    write_wav(out, rate, track)


def _pan(index: int, shot_type: str, spare_x: int, spare_y: int) -> tuple[tuple[int, int], ...]:
    """Start and end offsets of the crop window: gentle, and different from shot to shot."""
    if shot_type == "close-up":  # a slow push upward, towards the eyes
        return (spare_x // 2, spare_y), (spare_x // 2, spare_y // 3)
    if index % 2:
        return (0, spare_y // 2), (spare_x, spare_y // 2)
    return (spare_x, spare_y // 3), (0, spare_y // 2)


def _blend(frame: np.ndarray, strip: np.ndarray, top: int) -> None:
    h = min(strip.shape[0], frame.shape[0] - top)
    alpha = strip[:h, :, 3:4].astype(np.uint16)
    region = frame[top : top + h]
    region[:] = (
        (region.astype(np.uint16) * (255 - alpha) + strip[:h, :, :3] * alpha) // 255
    ).astype(np.uint8)


def frames(
    keyframes: list[Path],
    shot_types: list[str],
    timings: list[ShotTiming],
    cues: list[Cue],
    title: str,
    captions: CaptionPainter,
    settings: VideoSettings,
) -> Iterator[bytes]:
    """Yield every output frame as raw RGB bytes, one shot's still in memory at a time."""
    w, h, fps = settings.width, settings.height, settings.fps
    big_w, big_h = round(w * OVERSCAN), round(h * OVERSCAN)
    strips = [captions.paint(cue.text) for cue in cues]
    title_strip = captions.paint(title, color=(255, 236, 190))
    caption_top = round(h * 0.70)
    total_frames = round(sum(t.duration for t in timings) * fps)
    shot_ends = np.cumsum([t.duration for t in timings])
    frame_no = 0
    for index, (path, shot_type) in enumerate(zip(keyframes, shot_types, strict=True)):
        still = np.asarray(Image.open(path).convert("RGB").resize((big_w, big_h), Image.BICUBIC))
        first = frame_no
        last = total_frames if index == len(timings) - 1 else round(shot_ends[index] * fps)
        (x0, y0), (x1, y1) = _pan(index, shot_type, big_w - w, big_h - h)
        span = max(last - first - 1, 1)
        for frame_no in range(first, last):
            t = (frame_no - first) / span
            ease = t * t * (3 - 2 * t)
            x, y = round(x0 + (x1 - x0) * ease), round(y0 + (y1 - y0) * ease)
            frame = still[y : y + h, x : x + w].copy()
            now = frame_no / fps
            if now < TITLE_SECONDS:
                _blend(frame, title_strip, round(h * 0.08))
            for cue, strip in zip(cues, strips, strict=True):
                if cue.start <= now < cue.end:
                    _blend(frame, strip, caption_top)
                    break
            yield frame.tobytes()
        frame_no = last


def encode(frame_source: Iterator[bytes], audio: Path, out: Path, settings: VideoSettings) -> None:
    """Pipe raw frames and a WAV into one ffmpeg H.264/AAC encode; write `out` atomically."""
    with atomic_path(out) as tmp:
        cmd = [
            binary("ffmpeg"),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{settings.width}x{settings.height}",
            "-r",
            str(settings.fps),
            "-i",
            "pipe:0",
            "-i",
            str(audio),
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-c:v",
            "libx264",
            "-preset",
            settings.preset,
            "-crf",
            str(settings.crf),
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ar",
            str(settings.audio_rate),
            "-shortest",
            "-movflags",
            "+faststart",
            str(tmp),
        ]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None and proc.stderr is not None
        try:
            for frame in frame_source:
                proc.stdin.write(frame)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg died; its stderr says why
        finally:
            err = proc.stderr.read().decode(errors="replace")
            code = proc.wait()
        if code != 0:
            raise FFmpegError(f"ffmpeg encode of {out.name} failed ({code}): {err.strip()[-2000:]}")
