"""The compositor: keyframes + dialogue audio -> a vertical H.264/AAC MP4 with captions.

Frames are made in numpy (a slow pan over a slightly enlarged still, captions alpha-blended)
and piped as raw video into a single ffmpeg process, so no episode ever holds all its frames
in memory and no per-frame filter graph is built. The dialogue is mixed and encoded to AAC
meanwhile, then both streams are muxed without re-encoding.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from microdrama.ffmpeg import FFmpegError, binary, run_ffmpeg
from microdrama.loudness import normalize
from microdrama.media import atomic_path
from microdrama.subtitles import CaptionPainter, Cue
from microdrama.timing import ShotTiming
from microdrama.voice import read_wav, write_wav

OVERSCAN = 1.08
TITLE_SECONDS = 2.5
CAPTION_TOP, TITLE_TOP = 0.70, 0.08  # fractions of the frame height
TITLE_COLOR = (255, 236, 190)
PIPE_BYTES = 1 << 20


@dataclass(frozen=True)
class VideoSettings:
    width: int = 720
    height: int = 1280
    fps: int = 24
    crf: int = 23
    preset: str = "superfast"
    audio_rate: int = 48000

    @property
    def caption_px(self) -> int:
        return round(self.width / 17)

    def x264_args(self) -> list[str]:
        """The video encoder settings, shared by the cut and the benchmark's reference."""
        return [
            "-c:v",
            "libx264",
            "-preset",
            self.preset,
            "-crf",
            str(self.crf),
            "-pix_fmt",
            "yuv420p",
        ]

    def aac_args(self) -> list[str]:
        """The audio encoder settings of every cut and variant."""
        return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k", "-ar", str(self.audio_rate)]


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    """Linear resampling: enough for speech mixed at a model's rate and espeak's (16/22.05 kHz)."""
    if rate == to or not samples.size:
        return samples
    times = np.arange(round(samples.size * to / rate)) * (rate / to)
    return np.interp(times, np.arange(samples.size), samples).astype(np.float32)


def mix_dialogue(clips: list[tuple[float, Path]], total: float, out: Path) -> None:
    """Lay each clip at its start time on a silent track of `total` seconds; normalize loudness.

    The track takes the highest sample rate among the clips (a voice model and espeak-ng
    standing in for it may differ)."""
    voiced = [(start, *read_wav(path)) for start, path in clips]
    rate = max((clip_rate for _, clip_rate, _ in voiced), default=22050)
    track = np.zeros(round(total * rate), np.float32)
    for start, clip_rate, clip in voiced:
        samples = resample(clip, clip_rate, rate)
        at = round(start * rate)
        end = min(track.size, at + samples.size)
        track[at:end] += samples[: end - at]
    peak = float(np.abs(track).max()) if track.size else 0.0
    if peak > 1.0:
        track /= peak
    write_wav(out, rate, normalize(track, rate))


def soundtrack(
    clips: list[tuple[float, Path]], total: float, out: Path, settings: VideoSettings
) -> Path:
    """The dialogue mix encoded to AAC at `out`, made while the picture encodes."""
    wav = out.with_suffix(".wav")
    mix_dialogue(clips, total, wav)
    encode_audio(wav, out, settings)
    wav.unlink()
    return out


def pan_window(
    index: int, shot_type: str, spare_x: int, spare_y: int
) -> tuple[tuple[int, int], ...]:
    """Start and end offsets of the crop window: gentle, and different from shot to shot."""
    if shot_type == "close-up":  # a slow push upward, towards the eyes
        return (spare_x // 2, spare_y), (spare_x // 2, spare_y // 3)
    if index % 2:
        return (0, spare_y // 2), (spare_x, spare_y // 2)
    return (spare_x, spare_y // 3), (0, spare_y // 2)


def ease(t: float) -> float:
    """Smoothstep: the camera starts and stops gently."""
    return t * t * (3 - 2 * t)


def overscan_size(settings: VideoSettings) -> tuple[int, int]:
    """The still's size before cropping: a little larger than the frame, even in both axes."""
    return round(settings.width * OVERSCAN) // 2 * 2, round(settings.height * OVERSCAN) // 2 * 2


# BT.601 limited range, the levels x264 and players assume for untagged SD/HD yuv420p,
# from the full-range BT.601 that PIL's YCbCr conversion gives
_LUMA = np.round(16 + np.arange(256) * 219 / 255).astype(np.uint8)
_CHROMA = np.round(128 + (np.arange(256) - 128) * 224 / 255).astype(np.uint8)


def to_yuv420(
    image: Image.Image, size: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An RGB image -> Y at `size` (default: its own), U and V at half of it, as uint8 planes.

    Each plane is resampled on its own, chroma after halving: half the work of resizing RGB.
    """
    width, height = size or image.size
    half = (width // 2, height // 2)
    y, cb, cr = image.convert("YCbCr").split()
    return (
        _LUMA[np.asarray(y.resize((width, height), Image.BICUBIC))],
        _CHROMA[np.asarray(cb.reduce(2).resize(half, Image.BICUBIC))],
        _CHROMA[np.asarray(cr.reduce(2).resize(half, Image.BICUBIC))],
    )


def _half(plane: np.ndarray) -> np.ndarray:
    """2x2 average: an alpha plane at luma resolution -> chroma resolution."""
    p = plane.astype(np.uint16)
    return (p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2] + 2) // 4


@dataclass(frozen=True)
class Overlay:
    """A caption cropped to its visible columns, premultiplied for a blend with a shift.

    Alpha is scaled to 0..256 so that `(frame * keep + paint) >> 8` replaces a division by 255
    (exact at both ends: transparent keeps the frame, opaque gives the caption).
    """

    left: int
    keep: tuple[np.ndarray, np.ndarray, np.ndarray]
    paint: tuple[np.ndarray, np.ndarray, np.ndarray]

    @classmethod
    def from_rgba(cls, strip: np.ndarray) -> Overlay:
        strip = strip[: strip.shape[0] // 2 * 2]
        visible = np.flatnonzero(strip[..., 3].any(axis=0))
        left = int(visible[0]) // 2 * 2 if visible.size else 0
        right = int(visible[-1]) // 2 * 2 + 2 if visible.size else 2
        strip = strip[:, left:right]
        alpha = strip[..., 3].astype(np.uint16)
        chroma_alpha = _half(alpha)
        alphas = (alpha, chroma_alpha, chroma_alpha)
        planes = to_yuv420(Image.fromarray(np.ascontiguousarray(strip[..., :3])))
        weights = [a + (a >> 7) for a in alphas]
        return cls(
            left,
            tuple(256 - w for w in weights),
            tuple(p.astype(np.uint16) * w for p, w in zip(planes, weights, strict=True)),
        )

    def blend(self, planes: list[np.ndarray], top: int) -> None:
        """Alpha-blend onto the frame planes in place, `top` in luma rows (made even)."""
        top -= top % 2
        for index, (plane, keep, paint) in enumerate(
            zip(planes, self.keep, self.paint, strict=True)
        ):
            shift = 0 if index == 0 else 1
            row, col = top >> shift, self.left >> shift
            h = min(keep.shape[0], plane.shape[0] - row)
            region = plane[row : row + h, col : col + keep.shape[1]]
            mixed = np.multiply(region, keep[:h], dtype=np.uint16)
            mixed += paint[:h]
            mixed >>= 8
            np.copyto(region, mixed, casting="unsafe")


def stills(keyframes: list[Path], size: tuple[int, int]) -> Iterator[tuple[np.ndarray, ...]]:
    """Each keyframe as YUV planes at `size`, the next one prepared in a thread meanwhile."""

    def load(path: Path) -> tuple[np.ndarray, ...]:
        with Image.open(path) as image:
            return to_yuv420(image.convert("RGB"), size)

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = [pool.submit(load, path) for path in keyframes[:1]]
        for following in [*keyframes[1:], None]:
            current = ahead.pop().result()
            if following is not None:
                ahead.append(pool.submit(load, following))
            yield current


def frames(
    keyframes: list[Path],
    shot_types: list[str],
    timings: list[ShotTiming],
    cues: list[Cue],
    title: str,
    captions: CaptionPainter,
    settings: VideoSettings,
) -> Iterator[memoryview]:
    """Yield every output frame as raw yuv420p bytes, at most two shots' stills in memory.

    Every frame is drawn into the same buffer (a fresh 1.4 MB buffer per frame costs its page
    faults each time), so a frame is valid until the next one is asked for.

    Each still is converted to YUV once; a frame is then a slice of its planes plus the
    caption, so no per-frame color conversion happens here or in ffmpeg.
    """
    w, h, fps = settings.width, settings.height, settings.fps
    big_w, big_h = overscan_size(settings)
    overlays = [Overlay.from_rgba(captions.paint(cue.text)) for cue in cues]
    title_overlay = Overlay.from_rgba(captions.paint(title, color=TITLE_COLOR))
    caption_top, title_top = round(h * CAPTION_TOP), round(h * TITLE_TOP)
    total_frames = round(sum(t.duration for t in timings) * fps)
    shot_ends = np.cumsum([t.duration for t in timings])
    frame = np.empty(h * w * 3 // 2, np.uint8)  # Y, U and V planes, back to back
    planes = [
        frame[: h * w].reshape(h, w),
        frame[h * w : h * w * 5 // 4].reshape(h // 2, w // 2),
        frame[h * w * 5 // 4 :].reshape(h // 2, w // 2),
    ]
    frame_no = 0
    planes_of = stills(keyframes, (big_w, big_h))
    for index, (shot_type, (y_plane, u_plane, v_plane)) in enumerate(
        zip(shot_types, planes_of, strict=True)
    ):
        first = frame_no
        last = total_frames if index == len(timings) - 1 else round(shot_ends[index] * fps)
        (x0, y0), (x1, y1) = pan_window(index, shot_type, big_w - w, big_h - h)
        span = max(last - first - 1, 1)
        for frame_no in range(first, last):
            e = ease((frame_no - first) / span)
            x, y = round(x0 + (x1 - x0) * e), round(y0 + (y1 - y0) * e)
            cx, cy = x // 2, y // 2
            np.copyto(planes[0], y_plane[y : y + h, x : x + w])
            np.copyto(planes[1], u_plane[cy : cy + h // 2, cx : cx + w // 2])
            np.copyto(planes[2], v_plane[cy : cy + h // 2, cx : cx + w // 2])
            now = frame_no / fps
            if now < TITLE_SECONDS:
                title_overlay.blend(planes, title_top)
            for cue, overlay in zip(cues, overlays, strict=True):
                if cue.start <= now < cue.end:
                    overlay.blend(planes, caption_top)
                    break
            yield memoryview(frame)
        frame_no = last


def encode_video(frame_source: Iterator[memoryview], out: Path, settings: VideoSettings) -> None:
    """Pipe raw frames into one ffmpeg H.264 encode, video only; write `out` atomically.

    The pipe is widened to 1 MB where Linux allows, so ffmpeg reads a frame in two reads
    instead of twenty, and the encoder waits less on the pipe.
    """
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
            "yuv420p",
            "-s",
            f"{settings.width}x{settings.height}",
            "-r",
            str(settings.fps),
            "-i",
            "pipe:0",
            *settings.x264_args(),
            str(tmp),
        ]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None and proc.stderr is not None
        _widen_pipe(proc.stdin.fileno())
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


def _widen_pipe(fd: int) -> None:
    """Ask for a 1 MB pipe buffer; where the platform has no such call, the default stays."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is None:
        return
    with contextlib.suppress(OSError):  # over /proc/sys/fs/pipe-max-size
        fcntl.fcntl(fd, setting, PIPE_BYTES)


def encode_audio(wav: Path, out: Path, settings: VideoSettings) -> None:
    """The dialogue mix as AAC in an M4A, ready to be muxed in unchanged."""
    with atomic_path(out) as tmp:
        run_ffmpeg(
            ["-i", str(wav), *settings.aac_args(), "-f", "mp4", str(tmp)],
        )


def mux(video: Path, audio: Path, out: Path) -> None:
    """Both encoded streams into one MP4 without re-encoding; the index up front for streaming."""
    with atomic_path(out) as tmp:
        run_ffmpeg(
            [
                "-i",
                str(video),
                "-i",
                str(audio),
                "-map",
                "0:v:0",
                "-map",
                "1:a:0",
                "-c",
                "copy",
                "-shortest",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                str(tmp),
            ]
        )
