"""The compositor: keyframes -> the moving picture, and a burned-in H.264/AAC MP4 variant.

One ffmpeg process makes a whole picture from one filter graph built here. The stills come in as
one image sequence; each is scaled a little larger than the frame once, looped, and panned by a
crop whose offset moves every frame; a crop only moves plane pointers, so the camera costs no
pixel work. Captions and the title are painted once by PIL, packed into one image, and overlaid
during their cues. A burned-in variant encodes the locale's mixed sound to AAC in the same
process. No frame crosses a pipe and no episode ever holds its frames in memory.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from microdrama.av.ffmpeg import run_ffmpeg, run_ffmpeg_fed
from microdrama.av.loudness import normalize
from microdrama.av.timing import ShotTiming
from microdrama.av.wav import read_wav, write_wav
from microdrama.media import atomic_path
from microdrama.picture.captions import CaptionPainter, Cue

OVERSCAN = 1.08
TITLE_SECONDS = 2.5
CAPTION_TOP, TITLE_TOP = 0.70, 0.08  # fractions of the frame height
TITLE_COLOR = (255, 236, 190)


@dataclass(frozen=True)
class VideoSettings:
    width: int = 720
    height: int = 1280
    fps: int = 24
    crf: int = 23
    preset: str = "ultrafast"
    # On top of `ultrafast`: CABAC, the deblocking filter, three B-frames at fixed places and
    # the 8x8 transform with intra 8x8/4x4 partitions. On the benchmark episode's own frames
    # (a pan over stills) this encoded the ladder in three quarters of `superfast`'s time at 6 %
    # fewer bits in all, within 0.0001 SSIM on each rung (README, "Speed"). Empty: the preset
    # alone.
    x264_params: str = "cabac=1:deblock=1:bframes=3:b-adapt=0:partitions=i8x8,i4x4:8x8dct=1"
    audio_rate: int = 48000

    @property
    def caption_px(self) -> int:
        return round(self.width / 17)

    def x264_args(self) -> list[str]:
        """The video encoder settings, shared by the cut and the benchmark's reference."""
        tuned = ["-x264-params", self.x264_params] if self.x264_params else []
        return [
            *("-c:v", "libx264", "-preset", self.preset, *tuned),
            *("-crf", str(self.crf), "-pix_fmt", "yuv420p"),
        ]

    audio_bps: int = 128_000

    def aac_args(self) -> list[str]:
        """The audio encoder settings of every sound rendition and burned-in variant."""
        return [
            *("-c:a", "aac", "-aac_coder", "fast", "-b:a", str(self.audio_bps)),
            *("-ar", str(self.audio_rate)),
        ]


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
    rate, track = dialogue_track(clips, total)
    write_wav(out, rate, normalize(track, rate))


def dialogue_track(
    clips: list[tuple[float, Path]], total: float, rate: int | None = None
) -> tuple[int, np.ndarray]:
    """(rate, samples): each clip at its start time on a silent track of `total` seconds, at
    `rate` or the highest rate among the clips; peaks above full scale scaled back under it."""
    voiced = [(start, *read_wav(path)) for start, path in clips]
    rate = rate or max((clip_rate for _, clip_rate, _ in voiced), default=22050)
    track = np.zeros(round(total * rate), np.float32)
    for start, clip_rate, clip in voiced:
        samples = resample(clip, clip_rate, rate)
        at = round(start * rate)
        end = min(track.size, at + samples.size)
        track[at:end] += samples[: end - at]
    peak = float(np.abs(track).max()) if track.size else 0.0
    if peak > 1.0:
        track /= peak
    return rate, track


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
    """Smoothstep: the camera starts and stops gently (the cut computes it in `ease_expr`; the
    benchmark's moviepy cut calls it)."""
    return t * t * (3 - 2 * t)


def ease_expr(span: int) -> str:
    """`ease` of a shot's frame number `n` over `span` frames, in ffmpeg's expression language."""
    t = f"(n/{span})"
    return f"{t}*{t}*(3-2*{t})"


def overscan_size(settings: VideoSettings) -> tuple[int, int]:
    """The still's size before cropping: a little larger than the frame, even in both axes."""
    return round(settings.width * OVERSCAN) // 2 * 2, round(settings.height * OVERSCAN) // 2 * 2


def shot_frame_counts(timings: list[ShotTiming], fps: int) -> list[int]:
    """Frames per shot: shot boundaries rounded to frames, the total exact to the timeline."""
    bounds = [0, *(round(end * fps) for end in np.cumsum([t.duration for t in timings]))]
    return [b - a for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True)
class Caption:
    """A painted caption's place in the atlas (its visible columns only), where it goes on the
    frame, and when: from `start` to before `end`, in seconds."""

    left: int
    atlas_top: int
    width: int
    height: int
    top: int
    start: float
    end: float


def pack_captions(
    strips: list[tuple[np.ndarray, int, float, float]],
) -> tuple[np.ndarray, list[Caption]]:
    """(RGBA strip, frame top, start, end) per caption -> one RGBA atlas and where each lies.

    Strips with nothing visible are left out; every offset and size is even, as 4:2:0 needs.
    """
    captions, rows = [], []
    atlas_top = 0
    for strip, top, start, end in strips:
        strip = strip[: strip.shape[0] // 2 * 2]
        visible = np.flatnonzero(strip[..., 3].any(axis=0))
        if not visible.size or end <= start:
            continue
        left, right = int(visible[0]) // 2 * 2, int(visible[-1]) // 2 * 2 + 2
        height = strip.shape[0]
        captions.append(Caption(left, atlas_top, right - left, height, top - top % 2, start, end))
        rows.append(strip)
        atlas_top += height
    width = max((strip.shape[1] for strip in rows), default=2)
    atlas = np.zeros((max(atlas_top, 2), width, 4), np.uint8)
    for strip, caption in zip(rows, captions, strict=True):
        atlas[caption.atlas_top : caption.atlas_top + caption.height, : strip.shape[1]] = strip
    return atlas, captions


STILLS_INPUT, ATLAS_INPUT, SOUND_INPUT = 0, 1, 2


@dataclass(frozen=True)
class Frames:
    """A picture composed frame by frame elsewhere (the motion comic): raw frames of the video
    size that ffmpeg reads on its standard input in place of the stills (input 0), and the
    filters the camera still needs on them (a zoom), or ""."""

    chunks: Iterable[bytes | memoryview]
    pixel_format: str
    camera: str = ""

    def input_args(self, settings: VideoSettings) -> list[str]:
        size = f"{settings.width}x{settings.height}"
        return [
            *("-f", "rawvideo", "-pix_fmt", self.pixel_format, "-s", size),
            *("-framerate", str(settings.fps), "-i", "pipe:0"),
        ]

    def chain(self, settings: VideoSettings, out: str) -> str:
        camera = f"{self.camera}," if self.camera else ""
        return f"[{STILLS_INPUT}:v]{camera}format=yuv420p,setpts=N/{settings.fps}/TB[{out}]"


def picture_input(
    frames: Frames | None, keyframes: list[Path], work: Path, settings: VideoSettings
) -> list[str]:
    """ffmpeg's arguments reading the picture as input 0: the composed frames, or the stills."""
    if frames is not None:
        return frames.input_args(settings)
    return stills_input(keyframes, work, settings.fps)


def run_picture(args: list[str], frames: Frames | None) -> None:
    """ffmpeg with `args`, fed the composed frames where there are some."""
    if frames is None:
        run_ffmpeg(args)
    else:
        run_ffmpeg_fed(args, frames.chunks)


def picture_chains(
    shot_types: list[str],
    frame_counts: list[int],
    settings: VideoSettings,
    out: str,
    clips: dict[int, int] | None = None,
    frames: Frames | None = None,
) -> list[str]:
    """The graph from the stills (one image sequence) to the moving picture `[out]`; or from
    composed `frames`, which only need their camera's zoom and the encoder's pixel format.

    A shot in `clips` (shot index -> ffmpeg input index) plays its motion clip instead,
    held to the shot's frames; the rest pan over their still.

    The sequence is split per shot and each branch trimmed to its own still, so ffmpeg decodes
    every still once, when its shot begins, instead of probing all of them before the first
    frame. Per shot: scale once, loop the one frame, crop a moving window (`exact`, so the
    camera moves by single luma pixels). The shots are concatenated and renumbered at the frame
    rate. A shot shorter than a frame is left out (a loop of -1 frames would never end).
    """
    if frames is not None:
        return [frames.chain(settings, out)]
    w, h, fps = settings.width, settings.height, settings.fps
    big_w, big_h = overscan_size(settings)
    stills = "".join(f"[still{index}]" for index in range(len(shot_types)))
    chains, shots = [f"[{STILLS_INPUT}:v]split={len(shot_types)}{stills}"], []
    for index, (shot_type, frames) in enumerate(zip(shot_types, frame_counts, strict=True)):
        if frames < 1 or index in (clips or {}):
            chains.append(f"[still{index}]nullsink")
        if frames < 1:
            continue
        if index in (clips or {}):
            chains.append(
                f"[{clips[index]}:v]fps={fps},scale={w}:{h}:flags=bicubic,format=yuv420p,"
                f"tpad=stop_mode=clone:stop={frames},trim=end_frame={frames},"
                f"setpts=PTS-STARTPTS[shot{index}]"
            )
            shots.append(f"[shot{index}]")
            continue
        (x0, y0), (x1, y1) = pan_window(index, shot_type, big_w - w, big_h - h)
        e = ease_expr(max(frames - 1, 1))
        chains.append(
            f"[still{index}]trim=start_frame={index}:end_frame={index + 1},"
            f"scale={big_w}:{big_h}:flags=bicubic,format=yuv420p,"
            f"loop=loop={frames - 1}:size=1:start=0,"
            f"crop={w}:{h}:x='{x0}+({x1 - x0})*{e}':y='{y0}+({y1 - y0})*{e}':exact=1[shot{index}]"
        )
        shots.append(f"[shot{index}]")
    chains.append(f"{''.join(shots)}concat=n={len(shots)}:v=1:a=0,setpts=N/{fps}/TB[{out}]")
    return chains


def filter_graph(
    shot_types: list[str],
    frame_counts: list[int],
    captions: list[Caption],
    settings: VideoSettings,
    clips: dict[int, int] | None = None,
    frames: Frames | None = None,
) -> str:
    """The picture with its captions burned in, to `[video]`: each caption is cropped from the
    atlas once and overlaid while it is enabled."""
    last = "video" if not captions else "frame0"
    chains = picture_chains(shot_types, frame_counts, settings, last, clips, frames)
    return ";".join([*chains, *overlay_chains(captions, ATLAS_INPUT, "video")])


def overlay_chains(captions: list[Caption], atlas_input: int, out: str) -> list[str]:
    """Each caption cropped from the atlas (ffmpeg input `atlas_input`) once and overlaid on
    `[frame0]` while it is enabled, to `[out]`; the atlas is sunk when there is none.

    Shared by the burned-in variant (captions, title, AI label) and the HLS picture (the AI
    label alone), so both draw a painted strip the same way."""
    if not captions:
        return [f"[{atlas_input}:v]nullsink"]
    pads = "".join(f"[atlas{n}]" for n in range(len(captions)))
    chains = [f"[{atlas_input}:v]format=yuva420p,split={len(captions)}{pads}"]
    for n, c in enumerate(captions):
        after = out if n + 1 == len(captions) else f"frame{n + 1}"
        chains.append(
            f"[atlas{n}]crop={c.width}:{c.height}:{c.left}:{c.atlas_top}[caption{n}];"
            f"[frame{n}][caption{n}]overlay=x={c.left}:y={c.top}:"
            f"enable='gte(t,{c.start})*lt(t,{c.end})'[{after}]"
        )
    return chains


def atlas_input(
    strips: list[tuple[np.ndarray, int, float, float]], work: Path
) -> tuple[list[str], list[Caption]]:
    """ffmpeg's arguments reading the strips packed into one raw RGBA atlas (written in
    `work`), and where each strip lies in it."""
    atlas, captions = pack_captions(strips)
    atlas_file = work / "overlays.rgba"
    atlas_file.write_bytes(atlas.tobytes())
    size = f"{atlas.shape[1]}x{atlas.shape[0]}"
    return ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", size, "-i", str(atlas_file)], captions


def metadata_args(metadata: dict[str, str] | None) -> list[str]:
    """ffmpeg's arguments writing `metadata` as the file's global tags. The MP4 muxer keeps a
    key it has no atom for (the GB 45438 `AIGC` key) only with `-movflags use_metadata_tags`;
    `render` sets it (one -movflags per output: a second would replace the first)."""
    return [arg for key, text in (metadata or {}).items() for arg in ("-metadata", f"{key}={text}")]


def link_stills(keyframes: list[Path], work: Path) -> Path:
    """The stills as one numbered image sequence (links in `work`): one input for ffmpeg to open."""
    for index, still in enumerate(keyframes):
        (work / f"still_{index:03d}.png").symlink_to(still.resolve())
    return work / "still_%03d.png"


def stills_input(keyframes: list[Path], work: Path, fps: int) -> list[str]:
    """ffmpeg's arguments reading the stills as input 0."""
    pattern = link_stills(keyframes, work)
    return ["-f", "image2", "-framerate", str(fps), "-start_number", "0", "-i", str(pattern)]


def clip_inputs(clips: list[Path | None], first: int) -> tuple[list[str], dict[int, int]]:
    """ffmpeg's arguments reading each shot's motion clip (None: the shot pans its still) as
    inputs from `first` on, and which input each moving shot reads."""
    args, inputs = [], {}
    for shot, clip in enumerate(clips):
        if clip is not None:
            inputs[shot] = first + len(inputs)
            args += ["-i", str(clip)]
    return args, inputs


def render(
    keyframes: list[Path],
    shot_types: list[str],
    timings: list[ShotTiming],
    cues: list[Cue],
    title: str,
    painter: CaptionPainter,
    sound: Path,
    out: Path,
    settings: VideoSettings,
    clips: list[Path | None] | None = None,
    overlays: list[tuple[np.ndarray, int, float, float]] | None = None,
    metadata: dict[str, str] | None = None,
    frames: Frames | None = None,
) -> None:
    """A burned-in variant as one ffmpeg run: stills panned (or a shot's motion clip, from
    `clips`; or the composed `frames` of a motion comic), captions and title burned in, the
    locale's mixed sound (a WAV) as AAC; `out` is
    written atomically. `overlays` are more painted strips (RGBA, frame top, start, end), such
    as the AI-content label; `metadata` the file's global tags (the AIGC record)."""
    h, fps = settings.height, settings.fps
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".compose.") as scratch:
        work = Path(scratch)
        atlas_file = work / "captions.rgba"
        title_strip = painter.paint(title, color=TITLE_COLOR)
        strips = [(title_strip, round(h * TITLE_TOP), 0.0, TITLE_SECONDS)] + [
            (painter.paint(cue.text), round(h * CAPTION_TOP), cue.start, cue.end) for cue in cues
        ]
        strips += overlays or []  # drawn last, so the label sits on top
        atlas, captions = pack_captions(strips)
        atlas_file.write_bytes(atlas.tobytes())
        moving, inputs = clip_inputs(clips or [] if frames is None else [], SOUND_INPUT + 1)
        graph = filter_graph(
            shot_types, shot_frame_counts(timings, fps), captions, settings, inputs, frames
        )
        with atomic_path(out) as tmp:
            run_picture(
                [
                    *picture_input(frames, keyframes, work, settings),
                    *("-f", "rawvideo", "-pix_fmt", "rgba"),
                    *("-s", f"{atlas.shape[1]}x{atlas.shape[0]}", "-i", str(atlas_file)),
                    *("-i", str(sound)),
                    *moving,
                    # one thread: the filters are light, and x264 keeps both cores busy
                    *("-filter_complex_threads", "1", "-filter_complex", graph),
                    *("-map", "[video]", "-map", f"{SOUND_INPUT}:a"),
                    *settings.x264_args(),
                    *settings.aac_args(),
                    *metadata_args(metadata),
                    *("-movflags", "+faststart" + ("+use_metadata_tags" if metadata else "")),
                    *("-f", "mp4", str(tmp)),
                ],
                frames,
            )
