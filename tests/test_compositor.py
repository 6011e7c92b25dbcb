"""The one-process burned-in render, decoded frame by frame and checked against what it was
asked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from microdrama.av.ffmpeg import probe
from microdrama.av.timing import ShotTiming
from microdrama.av.wav import write_wav
from microdrama.picture.captions import CaptionPainter, Cue
from microdrama.picture.compositor import (
    VideoSettings,
    mix_dialogue,
    overscan_size,
    pack_captions,
    render,
    shot_frame_counts,
)
from microdrama.picture.fonts import font_for

SETTINGS = VideoSettings(width=96, height=160, fps=12)
RED_YUV = (81, 90, 240)  # BT.601 limited range, as x264 and players read untagged yuv420p
BODY = slice(40, 100)  # rows between the title (top) and the caption (70% down)
CAPTION = slice(112, 130)


def test_shot_frames_add_up_to_the_timeline() -> None:
    timings = [ShotTiming(0, 1.04, []), ShotTiming(1.04, 0.98, []), ShotTiming(2.02, 1.0, [])]
    counts = shot_frame_counts(timings, 24)
    assert counts == [25, 23, 24]
    assert sum(counts) == round(3.02 * 24)


def test_pack_captions_keeps_visible_columns_on_even_offsets() -> None:
    strip = np.zeros((7, 20, 4), np.uint8)
    strip[:, 5:11] = (255, 255, 255, 255)
    blank = np.zeros((4, 20, 4), np.uint8)
    atlas, captions = pack_captions(
        [(strip, 31, 0.0, 1.0), (blank, 40, 1.0, 2.0), (strip, 50, 2.0, 2.0), (strip, 60, 2, 3)]
    )
    assert len(captions) == 2, "the blank strip and the empty cue take no place"
    first, second = captions
    assert (first.left, first.width, first.height, first.top) == (4, 8, 6, 30)
    assert (second.atlas_top, second.top, second.start, second.end) == (6, 60, 2, 3)
    assert atlas.shape == (12, 20, 4)
    got = atlas[second.atlas_top : second.atlas_top + 6, second.left : second.left + 8]
    assert (got == strip[:6, 4:12]).all()


def decoded_frames(video: Path) -> np.ndarray:
    """Every frame's luma and chroma planes, as one (frames, bytes) array."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
        capture_output=True,
        check=True,
    ).stdout
    w, h = SETTINGS.width, SETTINGS.height
    return np.frombuffer(raw, np.uint8).reshape(-1, w * h * 3 // 2)


def luma(frame: np.ndarray) -> np.ndarray:
    return frame[: SETTINGS.width * SETTINGS.height].reshape(SETTINGS.height, SETTINGS.width)


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two one-second shots: a left-to-right gradient that pans, then flat red; one caption."""
    folder = tmp_path_factory.mktemp("cut")
    w, h = SETTINGS.width, SETTINGS.height
    ramp = np.tile(np.linspace(0, 255, w, dtype=np.uint8), (h, 1))
    Image.fromarray(np.stack([ramp] * 3, axis=-1)).save(folder / "shot_00.png")
    Image.new("RGB", (w, h), (255, 0, 0)).save(folder / "shot_01.png")
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(8000) / 16000)
    write_wav(folder / "line.wav", 16000, tone)
    mix_dialogue([(0.1, folder / "line.wav")], 2.0, folder / "mix.wav")
    render(
        [folder / "shot_00.png", folder / "shot_01.png"],
        ["wide", "wide"],
        [ShotTiming(0.0, 1.0, [0.1]), ShotTiming(1.0, 1.0, [1.2])],
        [Cue(1.25, 1.75, "Hi there")],
        "T",
        CaptionPainter(font_for("en"), w, SETTINGS.caption_px),
        folder / "mix.wav",
        folder / "episode.mp4",
        SETTINGS,
    )
    return folder / "episode.mp4"


def test_cut_is_h264_aac_of_the_timeline_length(cut: Path) -> None:
    info = probe(cut)
    video, audio = (
        next(s for s in info["streams"] if s["codec_type"] == kind) for kind in ("video", "audio")
    )
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (SETTINGS.width, SETTINGS.height)
    assert audio["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.1
    assert len(decoded_frames(cut)) == 2 * SETTINGS.fps
    assert not list(cut.parent.glob(".compose.*")), "the work folder is removed"


def test_stills_keep_their_colors_in_limited_range(cut: Path) -> None:
    w, h = SETTINGS.width, SETTINGS.height
    frame = decoded_frames(cut)[SETTINGS.fps + 1]  # the red shot, before its caption
    y = luma(frame)[BODY]
    u = frame[w * h : w * h * 5 // 4].reshape(h // 2, w // 2)[BODY.start // 2 : BODY.stop // 2]
    v = frame[w * h * 5 // 4 :].reshape(h // 2, w // 2)[BODY.start // 2 : BODY.stop // 2]
    got = tuple(float(np.median(plane)) for plane in (y, u, v))
    assert np.allclose(got, RED_YUV, atol=2), got


def test_the_camera_pans_across_the_first_shot(cut: Path) -> None:
    """The first shot's window slides from the right of the enlarged still to its left, so a
    left-to-right gradient darkens frame by frame, smoothly (eased) and without jumps."""
    spare_x = overscan_size(SETTINGS)[0] - SETTINGS.width
    means = [float(luma(f)[BODY].mean()) for f in decoded_frames(cut)[: SETTINGS.fps]]
    steps = np.diff(means)
    assert means[0] - means[-1] > 0.5 * spare_x * 255 / SETTINGS.width, means
    assert (steps < 0.5).all(), "the window only moves one way"
    assert abs(steps[0]) < abs(steps[len(steps) // 2]), "the move eases in"


def test_caption_shows_only_during_its_cue(cut: Path) -> None:
    frames = decoded_frames(cut)
    fps = SETTINGS.fps
    red = float(np.median(luma(frames[fps + 1])[BODY]))
    during = [n for n in range(fps, 2 * fps) if 1.25 <= n / fps < 1.75]
    for n in range(fps, 2 * fps):
        caption = luma(frames[n])[CAPTION]
        if n in during:
            assert caption.max() > red + 60, f"frame {n}: the caption's white text is missing"
        else:
            assert abs(caption.astype(int) - red).max() <= 4, f"frame {n}: a caption out of cue"
    title = luma(frames[fps + 1])[: BODY.start]  # the title lasts past the red shot's start
    assert abs(title.astype(int) - red).max() > 60, "the title is burned in at the top"


def test_a_shot_shorter_than_a_frame_is_left_out(tmp_path: Path) -> None:
    w, h = SETTINGS.width, SETTINGS.height
    stills = [tmp_path / f"shot_{n:02d}.png" for n in range(3)]
    for still, color in zip(stills, [(255, 0, 0), (0, 255, 0), (0, 0, 255)], strict=True):
        Image.new("RGB", (w, h), color).save(still)
    out = tmp_path / "episode.mp4"
    mix_dialogue([], 1.02, tmp_path / "silence.wav")
    render(
        stills,
        ["wide", "medium", "close-up"],
        [ShotTiming(0.0, 0.5, []), ShotTiming(0.5, 0.02, []), ShotTiming(0.52, 0.5, [])],
        [],
        "",
        CaptionPainter(font_for("en"), w, SETTINGS.caption_px),
        tmp_path / "silence.wav",
        out,
        SETTINGS,
    )
    frames = decoded_frames(out)
    assert len(frames) == round(1.02 * SETTINGS.fps)
    green = [n for n, f in enumerate(frames) if float(np.median(luma(f)[BODY])) > 120]
    assert not green, "the shot of no whole frame never shows"
