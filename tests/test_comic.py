"""The motion comic: layers that move at their own depth, breathing, mouths that follow the dub,
seeded blinks, the beat's camera; checked on frames ffmpeg encoded and decoded again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from microdrama.av.ffmpeg import run_ffmpeg, run_ffmpeg_fed
from microdrama.av.wav import write_wav
from microdrama.motion.comic import (
    RAW_PIXELS,
    ShotRig,
    Spoken,
    blinks,
    camera_for,
    character_layer,
    episode_raw,
    load_rig,
    mouth_levels,
    rig_episode,
    save_rig,
    zoom_filter,
)
from microdrama.motion.gate import frozen_gate, frozen_spans, mouth_gate
from microdrama.picture.storyboard import Actor, paint_layers, plan_shot
from microdrama.words.story import Line, Shot
from microdrama.words.template import load_template

W, H, FPS = 360, 640, 24
TEMPLATE = load_template(REPO / "templates" / "revenge.yaml").template


def shot(kind: str, cast: list[str], action: str, beat: str = "setup", index: int = 0) -> Shot:
    lines = [Line(cast[0], "angry", "You will pay for this.", "x", 0.0, 1.0)]
    return Shot(index, beat, TEMPLATE.beats[0].location, kind, cast, action, lines, 3.0)


def speech(path: Path, talk: list[tuple[float, float]], seconds: float) -> Path:
    """A WAV with a voiced buzz (syllables at 5 Hz) during `talk` spans, silence elsewhere."""
    rate = 16000
    t = np.arange(round(seconds * rate)) / rate
    voiced = np.zeros_like(t)
    for start, end in talk:
        voiced[(t >= start) & (t < end)] = 1.0
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 5 * t)
    write_wav(path, rate, (0.5 * voiced * syllables * np.sin(2 * np.pi * 180 * t)).astype("f4"))
    return path


def encode_and_decode(rigs: list[ShotRig], work: Path) -> np.ndarray:
    """The rigs' frames through ffmpeg (zoom included) into an H.264 file, decoded back to RGB
    frames (n, H, W, 3): the picture as a viewer's player gets it."""
    video = work / "comic.mp4"
    zoom = zoom_filter(rigs)
    graph = f"{zoom + ',' if zoom else ''}format=yuv420p"
    run_ffmpeg_fed(
        [
            *("-f", "rawvideo", "-pix_fmt", RAW_PIXELS, "-s", f"{W}x{H}", "-framerate", str(FPS)),
            *("-i", "pipe:0", "-vf", graph, "-c:v", "libx264", "-preset", "ultrafast"),
            *("-crf", "12", str(video)),
        ],
        episode_raw(rigs),
    )
    raw = work / "frames.rgb"
    run_ffmpeg(["-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", str(raw)])
    return np.fromfile(raw, np.uint8).reshape(-1, H, W, 3)


def best_shift(a: np.ndarray, b: np.ndarray, mask: np.ndarray, reach: int = 30) -> int:
    """The horizontal shift (pixels) that best lays `a`'s masked pixels onto `b`."""
    ys, xs = np.nonzero(mask)
    keep = (xs >= reach) & (xs < a.shape[1] - reach)
    ys, xs = ys[keep], xs[keep]
    grey_a, grey_b = a.mean(axis=2), b.mean(axis=2)
    errors = {
        dx: float(np.abs(grey_a[ys, xs] - grey_b[ys, xs + dx]).mean())
        for dx in range(-reach, reach + 1)
    }
    return min(errors, key=errors.__getitem__)


@pytest.fixture(scope="module")
def two_shot(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[ShotRig], np.ndarray]:
    """A medium shot of two (a drift) and a close-up (a reveal) with a line, encoded."""
    work = tmp_path_factory.mktemp("comic")
    shots = [
        shot("medium", ["villain", "heroine"], "Vivian Zhao smiles at her guests"),
        shot("close-up", ["heroine"], "Lin Xia watches", beat="twist", index=1),
    ]
    line = speech(work / "line.wav", [(0.3, 1.3)], 1.6)
    spoken = [Spoken("heroine", 96 + 12, line)]  # the close-up's 12th frame
    rigs = rig_episode(TEMPLATE, shots, [96, 72], spoken, "test", W, H, FPS)
    return rigs, encode_and_decode(rigs, work)


def test_every_shot_moves_and_near_layers_move_more_than_far_ones(two_shot) -> None:
    rigs, frames = two_shot
    first, last = frames[0].astype(np.int16), frames[95].astype(np.int16)
    assert np.abs(first - last).mean() > 1.0  # the drift shot moves
    close = frames[96:168].astype(np.int16)
    assert np.abs(close[0] - close[-1]).mean() > 1.0  # the push-in moves
    rig = rigs[0]
    near = rig.puppets[-1]
    mask = np.zeros((H, W), bool)
    mask[: int(H * 0.3)] = True  # above the heads: the backdrop alone
    for p in rig.puppets:
        s = p.sprite
        alpha = np.asarray(s.image)[..., 3] > 250
        ys, xs = np.nonzero(alpha)
        ys, xs = ys + s.y, xs + s.x
        inside = (ys >= 0) & (ys < H) & (xs >= 0) & (xs < W)
        mask[ys[inside], xs[inside]] = False
    far = best_shift(frames[0], frames[95], mask)
    body = np.zeros((H, W), bool)
    s = near.sprite
    ys, xs = np.nonzero(np.asarray(s.image)[..., 3] > 250)
    ys, xs = ys + s.y, xs + s.x
    torso = (ys > near.face_at[1] + s.y + 40) & (ys < H) & (xs >= 0) & (xs < W)
    body[ys[torso], xs[torso]] = True
    close_shift = best_shift(frames[0], frames[95], body)
    assert abs(close_shift) > abs(far) >= 1, (close_shift, far)
    assert np.sign(close_shift) == np.sign(far)  # the same camera, at two depths


def test_the_decoded_picture_passes_the_frozen_frame_gate(two_shot, tmp_path: Path) -> None:
    rigs, _ = two_shot
    video = tmp_path / "comic.mp4"
    run_ffmpeg_fed(
        [
            *("-f", "rawvideo", "-pix_fmt", RAW_PIXELS, "-s", f"{W}x{H}", "-framerate", str(FPS)),
            *("-i", "pipe:0", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            str(video),
        ],
        episode_raw(rigs),
    )
    moving = frozen_gate(video, [96, 72], FPS, 0.45)
    assert moving.passed, moving.reason
    still = tmp_path / "still.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", f"color=gray:s={W}x{H}:r={FPS}:d=4", str(still)])
    frozen = frozen_gate(still, [48, 48], FPS, 0.45)
    assert not frozen.passed and "holds one frame for 2.00s" in frozen.reason
    assert frozen_spans(still, [48, 48]) == [48, 48]


def mouth_box(rig: ShotRig, n: int) -> tuple[int, int, int, int]:
    """The lower half of the face box of the rig's nearest puppet on frame `n`, as placed."""
    p = rig.puppets[-1]
    _, rise = p.picture(n, FPS)
    x, y = rig.where(p.sprite, n, rise)
    patch = p.faces[0, False]
    left, top = x + p.face_at[0], y + p.face_at[1] + patch.height // 2
    return left, top, left + patch.width, top + patch.height // 2


def test_the_mouth_moves_while_its_speaker_talks_and_stays_shut_in_silence(tmp_path) -> None:
    close = shot("close-up", ["heroine"], "Lin Xia watches")
    line = speech(tmp_path / "line.wav", [(0.4, 1.6)], 2.0)
    spoken = [Spoken("heroine", 10, line)]
    rigs = rig_episode(TEMPLATE, [close], [96], spoken, "mouth", W, H, FPS)
    rig = rigs[0]
    rig.camera = dataclasses.replace(rig.camera, move="drift")
    frames = encode_and_decode(rigs, tmp_path)
    talking = range(10 + 11, 10 + 37)  # 0.45-1.55 s into the line
    silent = [*range(0, 8), *range(10 + 52, 96)]  # before it, and after it ends
    crops = {}
    for n in [*talking, *silent]:
        x0, y0, x1, y1 = mouth_box(rig, n)
        crops[n] = frames[n, y0:y1, x0:x1].astype(np.int16)
    shut = crops[silent[0]]
    apart = [float(np.abs(crops[n] - shut).mean()) for n in talking]
    still = [float(np.abs(crops[n] - shut).mean()) for n in silent]
    assert max(still) < 3.0, still  # the closed mouth: the encoder's noise only
    assert np.median(apart) > 3 * max(max(still), 1.0), (apart, still)
    assert len({round(a) for a in apart}) > 2  # it opens and closes, not one pose
    assert all(rig.puppets[-1].mouth[n] == 0 for n in silent) and mouth_gate(rigs, spoken).passed


def test_mouth_levels_follow_the_loudness_and_close_in_pauses(tmp_path: Path) -> None:
    wav = speech(tmp_path / "pause.wav", [(0.0, 0.5), (1.0, 1.5)], 1.5)
    levels = mouth_levels(wav, FPS)
    assert len(levels) == 36
    assert max(levels[:12]) >= 2 and max(levels[25:]) >= 2
    assert levels[13:23] == [0] * 10  # the pause closes the mouth


def test_the_mouth_gate_refuses_a_mouth_that_moves_in_silence(two_shot, tmp_path: Path) -> None:
    rigs, _ = two_shot
    line = speech(tmp_path / "line.wav", [(0.3, 1.3)], 1.6)
    spoken = [Spoken("heroine", 96 + 12, line)]
    assert mouth_gate(rigs, spoken).passed
    villain = next(p for p in rigs[0].puppets if p.id == "villain")
    villain.mouth[5] = 2
    try:
        refused = mouth_gate(rigs, spoken)
    finally:
        villain.mouth[5] = 0
    assert not refused.passed and "villain's mouth moves on 1 silent frames" in refused.reason


def test_blinks_are_seeded_and_come_every_few_seconds() -> None:
    shut = blinks("ep|3|heroine", 24 * 30, FPS)
    assert shut == blinks("ep|3|heroine", 24 * 30, FPS)
    assert shut != blinks("ep|3|villain", 24 * 30, FPS)
    starts = [f for f in shut if f - 1 not in shut]
    gaps = np.diff(starts) / FPS
    assert 5 <= len(starts) <= 15 and gaps.min() >= 2.0 and gaps.max() <= 5.5


def test_each_beat_gets_its_camera() -> None:
    assert (
        camera_for(shot("medium", ["villain"], "Vivian slaps Lin Xia"), 0, False, 72, FPS).move
        == "shake"
    )
    assert (
        camera_for(shot("close-up", ["heroine"], "Lin Xia lifts her veil"), 0, False, 72, FPS).move
        == "push"
    )
    end = shot("close-up", ["heroine"], "Lin Xia turns", beat="cliffhanger")
    snap = camera_for(end, 5, True, 72, FPS)
    assert snap.move == "snap" and snap.zoom(71) == pytest.approx(1.16) and snap.zoom(0) == 1
    assert camera_for(end, 5, False, 72, FPS).move == "drift"


def test_a_character_painted_alone_is_its_storyboard_layer() -> None:
    medium = shot("medium", ["villain", "heroine"], "Vivian Zhao raises a glass of champagne")
    plan = plan_shot(TEMPLATE, medium, W, H)
    layers = dict(paint_layers(TEMPLATE, medium, W, H).characters)
    for _, actor in plan.characters:
        assert isinstance(actor, Actor)
        ours = np.asarray(character_layer(actor, W, H), np.int32)
        theirs = np.asarray(layers[actor.who.id], np.int32)
        assert np.abs(ours[..., 3] - theirs[..., 3]).max() <= 4  # the frame's edge: rounding
        shown = ours[..., :3] * ours[..., 3:], theirs[..., :3] * theirs[..., 3:]  # premultiplied
        assert np.abs(shown[0] - shown[1]).max() <= 8 * 255


def test_a_rig_saved_and_loaded_composes_the_same_frames(two_shot, tmp_path: Path) -> None:
    rigs, _ = two_shot
    save_rig(rigs, tmp_path / "rig")
    again = load_rig(tmp_path / "rig")
    for a, b in zip(rigs, again, strict=True):
        for n, (x, y) in enumerate(zip(a.frames(), b.frames(), strict=True)):
            assert np.array_equal(x, y), n
