"""The cut composed with moviepy, the way popular short-video generators do it: the reference
for `cut_vs_moviepy`.

Same keyframes, same dialogue mix (loudness included), same camera motion, same caption and
title pixels at the same times, same x264 settings, AAC at the same bitrate and the same
ffmpeg binary (moviepy's audio writer takes no encoder options, so its AAC uses ffmpeg's
default coder: about 0.3 s more). Only the composition differs: moviepy composites every
frame from clips in Python and pipes RGB to ffmpeg, where the cut slices pre-converted YUV
planes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from microdrama.av.ffmpeg import binary
from microdrama.av.timing import place_lines
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore, read_json
from microdrama.picture import compositor
from microdrama.picture.captions import CaptionPainter
from microdrama.picture.compositor import VideoSettings
from microdrama.picture.fonts import font_for
from microdrama.stages import Episode
from microdrama.stages.localized import shots_of
from microdrama.words.template import SOURCE_LOCALE
from resources.config import REPO, child_environment


def moviepy_cut_seconds(ep: Episode, settings: VideoSettings, out: Path) -> float:
    """Wall time for moviepy to make the source locale's burned-in variant of an episode
    already rendered (the cut's shots, the variant's cues and title, the source dub).

    Measured in a process of its own, whose environment points moviepy (through imageio-ffmpeg,
    IMAGEIO_FFMPEG_EXE) at our ffmpeg binary: the same encoder build, and this process's
    environment left as it is."""
    command = [
        *(sys.executable, "-m", "bench.moviepy_cut"),
        *(str(ep.store.root), str(ep.key), json.dumps(asdict(settings)), str(out)),
    ]
    env = child_environment({"IMAGEIO_FFMPEG_EXE": binary("ffmpeg")})
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"moviepy's cut failed: {proc.stderr.strip()[-2000:]}")
    return float(proc.stdout.split()[-1])


def moviepy_cut_here(ep: Episode, settings: VideoSettings, out: Path) -> float:
    """`moviepy_cut_seconds`, in this process (with the ffmpeg its environment names)."""
    try:
        from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, concatenate_videoclips
    except ImportError:
        raise SystemExit("moviepy is not installed: run `make bench` (the `bench` extra)") from None

    script = ep.script()
    timeline = read_json(ep.dir("cut") / "timeline.json")
    captions_at = read_json(ep.dir("localized") / SOURCE_LOCALE / "timeline.json")
    voice = ep.dir("voice") / SOURCE_LOCALE
    lines = read_json(voice / "lines.json")
    w, h = settings.width, settings.height
    big_w, big_h = compositor.overscan_size(settings)
    started = time.perf_counter()

    audio = out.with_suffix(".wav")
    # each line where the localized stage placed it (its cues may split a line, and the
    # subtitles open with the AI label: the cues do not map one to one onto the lines)
    takes = iter([line["seconds"] for line in lines])
    per_shot = [[next(takes) for _ in shot.lines] for shot in script.shots]
    starts, _ = place_lines(shots_of(timeline), per_shot)
    clips = [(start, voice / line["file"]) for start, line in zip(starts, lines, strict=True)]
    compositor.mix_dialogue(clips, timeline["seconds"], audio)

    shots = []
    for index, (path, shot, timing) in enumerate(
        zip(ep.keyframes(), script.shots, timeline["shots"], strict=True)
    ):
        (x0, y0), (x1, y1) = compositor.pan_window(index, shot.type, big_w - w, big_h - h)
        length = timing["duration"]

        def window(t: float, x0=x0, y0=y0, x1=x1, y1=y1, length=length) -> tuple[int, int]:
            e = compositor.ease(min(t / length, 1.0))
            return -round(x0 + (x1 - x0) * e), -round(y0 + (y1 - y0) * e)

        still = ImageClip(str(path)).resized((big_w, big_h)).with_duration(length)
        shots.append(CompositeVideoClip([still.with_position(window)], size=(w, h)))
    video = concatenate_videoclips(shots)

    painter = CaptionPainter(font_for(SOURCE_LOCALE), w, settings.caption_px)
    title_strip = painter.paint(captions_at["title"], color=compositor.TITLE_COLOR)
    title = (
        ImageClip(title_strip, transparent=True)
        .with_duration(compositor.TITLE_SECONDS)
        .with_position(("center", round(h * compositor.TITLE_TOP)))
    )
    captions = [
        ImageClip(painter.paint(cue["text"]), transparent=True)
        .with_start(cue["start"])
        .with_duration(cue["end"] - cue["start"])
        .with_position(("center", round(h * compositor.CAPTION_TOP)))
        for cue in captions_at["cues"]
    ]
    final = CompositeVideoClip([video, title, *captions], size=(w, h)).with_audio(
        AudioFileClip(str(audio))
    )
    final.write_videofile(
        str(out),
        fps=settings.fps,
        codec="libx264",
        preset=settings.preset,
        ffmpeg_params=[
            *("-x264-params", settings.x264_params),
            *("-crf", str(settings.crf), "-pix_fmt", "yuv420p"),
        ],
        audio_codec="aac",
        audio_bitrate="128k",
        logger=None,
    )
    final.close()
    return time.perf_counter() - started


if __name__ == "__main__":  # python -m bench.moviepy_cut ROOT KEY SETTINGS_JSON OUT
    root, key, settings, out = sys.argv[1:5]
    episode = Episode(MediaStore(Path(root)), EpisodeKey.parse(key))
    print(moviepy_cut_here(episode, VideoSettings(**json.loads(settings)), Path(out)))
