"""Shots that move: clips held to the shot's timing, the motion gate, and the diffusers animator
running a tiny random Stable Video Diffusion loaded by from_pretrained."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import tiny_motion
from PIL import Image

from microdrama.av.ffmpeg import probe
from microdrama.models.device import MODELS, DeviceConfig, ModelError
from microdrama.motion.animator import DiffusersAnimator, MotionJob, frames_for, side_multiple
from microdrama.motion.clip import spread, write_clip
from microdrama.motion.gate import clip_gate, stills

W, H, FPS = 144, 256, 24
CPU = DeviceConfig("cpu")


def panning(count: int, width: int = 72, height: int = 128) -> np.ndarray:
    """Frames of a window sliding across a textured picture: plain, certain motion."""
    picture = (np.random.default_rng(0).random((height, width + 8 * count, 3)) * 255).astype(
        np.uint8
    )
    return np.stack([picture[:, 8 * i : 8 * i + width] for i in range(count)])


def keyframe(path: Path, tint: int) -> Path:
    """A picture with a gradient and a block in it, like a keyframe, saved at the video size."""
    y, x = np.mgrid[0:H, 0:W]
    rgb = np.stack([x * 255 // W, y * 255 // H, np.full_like(x, tint)], axis=-1)
    rgb[60:140, 40:100] = (230, 200, 40)
    Image.fromarray(rgb.astype(np.uint8)).save(path)
    return path


def job(
    path: Path, seconds: float, prompt: str = "she turns to the door", seed: int = 7
) -> MotionJob:
    return MotionJob(path, seconds, prompt, seed, W, H, FPS)


def video_stream(path: Path) -> dict:
    return next(s for s in probe(path)["streams"] if s["codec_type"] == "video")


def test_spread_holds_the_motion_to_the_shot() -> None:
    frames = panning(4)
    out = list(spread(frames, 10))
    assert len(out) == 10
    assert np.array_equal(out[0], frames[0]) and np.array_equal(out[-1], frames[-1])
    assert len(list(spread(frames, 2))) == 2 and len(list(spread(frames, 1))) == 1
    halfway = list(spread(frames, 7))[1]  # frames in between are blends of their neighbours
    assert np.abs(halfway - (frames[0] / 2 + frames[1] / 2)).max() <= 0.5


def test_a_moving_clip_fills_its_shot_and_passes(tmp_path: Path) -> None:
    path = write_clip(panning(5), tmp_path / "moving.mp4", 1.5, FPS, W, H)
    checked = clip_gate(path, 1.5, W, H, FPS)
    assert checked.passed, checked.reason
    assert checked.name == "motion" and checked.metadata["frames"] == 36
    stream = video_stream(path)
    assert (stream["width"], stream["height"], stream["r_frame_rate"]) == (W, H, "24/1")
    assert int(stream["nb_frames"]) == 36
    assert len(stills(path, [0, 18, 35])) == 3, "only the frames asked for are decoded"


def test_frozen_blank_and_mistimed_clips_fail_with_a_reason(tmp_path: Path) -> None:
    still = write_clip(panning(1), tmp_path / "still.mp4", 1.0, FPS, W, H)
    frozen = clip_gate(still, 1.0, W, H, FPS)
    assert not frozen.passed and "frozen" in frozen.reason

    fading = np.stack([np.full((128, 72, 3), v, np.uint8) for v in (90, 110, 130)])
    blank = clip_gate(write_clip(fading, tmp_path / "blank.mp4", 1.0, FPS, W, H), 1.0, W, H, FPS)
    assert not blank.passed and "blank" in blank.reason

    moving = write_clip(panning(3), tmp_path / "short.mp4", 1.0, FPS, W, H)
    long = clip_gate(moving, 2.0, W, H, FPS)
    assert not long.passed and "24 frames, 48 for 2.00s" in long.reason
    wrong = clip_gate(moving, 1.0, 288, 512, 30)
    assert "not 288x512" in wrong.reason and "not 30" in wrong.reason


def test_size_and_frame_count_suit_each_pipeline_family() -> None:
    svd = SimpleNamespace(
        vae_scale_factor=8, unet=SimpleNamespace(config=SimpleNamespace(block_out_channels=[0] * 4))
    )
    ltx = SimpleNamespace(
        vae_spatial_compression_ratio=32,
        vae_temporal_compression_ratio=8,
        transformer=SimpleNamespace(config={"patch_size": 1}),
    )
    wan = SimpleNamespace(
        vae_scale_factor_spatial=8,
        vae_scale_factor_temporal=4,
        transformer=SimpleNamespace(config={"patch_size": (1, 2, 2)}),
    )
    assert [side_multiple(p) for p in (svd, ltx, wan)] == [64, 32, 16]
    assert [frames_for(p, 14) for p in (svd, ltx, wan)] == [14, 17, 13]


@pytest.fixture(scope="module")
def svd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_motion.video_pipeline(tmp_path_factory.mktemp("motion") / "svd")


def test_tiny_svd_animates_two_shots_into_clips_that_pass(svd: Path, tmp_path: Path) -> None:
    # painted at about 9:16 (sides multiples of 8, as SVD needs), scaled up to 144x256
    animator = DiffusersAnimator(str(svd), CPU, frames=4, steps=2, width=40, height=72)
    jobs = [
        job(keyframe(tmp_path / "a.png", 40), 1.0),
        job(keyframe(tmp_path / "b.png", 200), 1.5, seed=8),
    ]
    clips = animator.animate(jobs, tmp_path / "clips")
    assert animator.notes == [] and all(clips), animator.notes
    for clip, shot, frames in zip(clips, jobs, (24, 36), strict=True):
        assert clip is not None and clip_gate(clip, shot.seconds, W, H, FPS).passed
        stream = video_stream(clip)
        assert (stream["width"], stream["height"], stream["r_frame_rate"]) == (W, H, "24/1")
        assert int(stream["nb_frames"]) == frames
    assert animator.animate([], tmp_path / "again") == []
    assert MODELS.loads[("motion", str(svd), str(CPU))] == 1, "the model loads once per process"


class Scripted:
    """A stand-in image-to-video pipeline: each prompt says what it does with its keyframe."""

    vae_scale_factor = 8

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, image, prompt, num_frames, height, width, **_) -> SimpleNamespace:
        self.calls.append(prompt)
        if ("fail" in prompt and len(prompt) > 1) or "always fails" in prompt:
            raise RuntimeError("CUDA out of memory")
        videos = [
            np.repeat(np.asarray(im)[None], num_frames, 0) if p == "hold" else panning(num_frames)
            for im, p in zip(image, prompt, strict=True)
        ]
        return SimpleNamespace(frames=np.stack(videos).astype(np.float32) / 255)


def test_failed_clips_and_batches_fall_back_with_reasons(tmp_path: Path) -> None:
    pipe = Scripted()
    MODELS.get(("motion", "scripted", str(CPU)), lambda: pipe)
    animator = DiffusersAnimator("scripted", CPU, frames=5, width=72, height=128)
    still = keyframe(tmp_path / "k.png", 90)
    prompts = ["pan", "hold", "fail", "pan", "always fails"]
    clips = animator.animate([job(still, 1.0, p) for p in prompts], tmp_path / "clips")
    assert [c is not None for c in clips] == [True, False, True, True, False]
    assert pipe.calls == [
        ["pan", "hold"],
        ["fail", "pan"],  # the batch raised: each job tried alone
        ["fail"],
        ["pan"],
        ["always fails"],
    ]
    assert [n["shot"] for n in animator.notes] == [1, 4]
    assert "motion gate: frozen" in str(animator.notes[0]["reason"])
    assert animator.notes[1]["reason"] == "generation failed: RuntimeError: CUDA out of memory"
    assert not (tmp_path / "clips" / "shot-001.mp4").exists(), "a refused clip is deleted"


def test_a_model_that_cannot_load_names_its_variable(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="MICRODRAMA_MOTION_MODEL=/nonexistent/motion"):
        DiffusersAnimator("/nonexistent/motion", CPU).animate([], tmp_path)
