"""The diffusers animator: any image-to-video pipeline moves the keyframes.

Stable Video Diffusion takes the keyframe alone; LTX-Video, CogVideoX and Wan image-to-video
also take the shot's prompt, which is passed wherever the pipeline's `__call__` accepts one.
Clips are made `batch_size` per pipeline call, at the model's own 9:16 size and frame count,
then spread over the shot's frames and cropped to the video size (see clip.py). A clip that
fails its gate, or a call that raises, leaves its shots to the eased pan, with the reason in
`notes`; only a model that cannot load stops the run.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageOps

from microdrama.models.device import MODELS, DeviceConfig, ModelError, load_pipeline, place
from microdrama.motion.clip import write_clip
from microdrama.motion.gate import clip_gate

VARIABLE = "MICRODRAMA_MOTION_MODEL"
# where pipelines keep their VAE's spatial scale: Wan and CogVideoX, LTX-Video, SVD
SCALES = ("vae_scale_factor_spatial", "vae_spatial_compression_ratio", "vae_scale_factor")


@dataclass(frozen=True)
class MotionJob:
    """One shot to animate: its keyframe, how long it lasts, and the video's size and rate."""

    keyframe: Path
    seconds: float
    prompt: str
    seed: int
    width: int
    height: int
    fps: int


class Animator(Protocol):
    neural: bool
    notes: list[dict[str, int | str]]  # {"shot": index in jobs, "reason": why it has no clip}

    def animate(self, jobs: list[MotionJob], out_dir: Path) -> list[Path | None]:
        """A clip per job, or None where the shot keeps the eased pan (reason in `notes`)."""
        ...


def side_multiple(pipe: Any) -> int:
    """What a pipeline's sides must divide by: its VAE's spatial scale times the downsampling
    of its denoiser (a UNet's levels, or a transformer's patch), and 8, which they all check."""
    scale = next((getattr(pipe, n) for n in SCALES if isinstance(getattr(pipe, n, None), int)), 8)
    if getattr(pipe, "unet", None) is not None:
        return math.lcm(8, scale * 2 ** (len(pipe.unet.config.block_out_channels) - 1))
    patch = getattr(getattr(pipe, "transformer", None), "config", {}).get("patch_size") or 1
    return math.lcm(8, scale * (patch if isinstance(patch, int) else patch[-1]))


def frames_for(pipe: Any, frames: int) -> int:
    """`frames`, or the nearest count a video VAE with temporal compression t takes (k*t + 1)."""
    t = getattr(pipe, "vae_scale_factor_temporal", None) or getattr(
        pipe, "vae_temporal_compression_ratio", None
    )
    return max(1, round((frames - 1) / t)) * t + 1 if t else frames


def as_frames(video: Any) -> np.ndarray:
    """One generated video, (frames, h, w, 3) floats in [0, 1] (`output_type="np"`), as uint8."""
    return (np.clip(np.asarray(video, dtype=np.float32), 0, 1) * 255).round().astype(np.uint8)


def reason(exc: Exception) -> str:
    """A note's reason: the exception's type and first line, kept short for metadata."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"generation failed: {type(exc).__name__}: {first}"[:300]


@dataclass
class DiffusersAnimator:
    model: str
    device: DeviceConfig
    frames: int = 14  # what the model makes; spread over the shot's frames afterwards
    steps: int = 4
    batch_size: int = 2
    width: int = 576  # the size the model paints at, 9:16, rounded to what it needs
    height: int = 1024
    neural: bool = True
    notes: list[dict[str, int | str]] = field(default_factory=list)

    def _load(self) -> Any:
        import diffusers

        pipe = load_pipeline(diffusers.DiffusionPipeline, self.model, VARIABLE, self.device)
        accepts = inspect.signature(pipe.__call__).parameters
        if not {"image", "num_frames"} <= accepts.keys():
            raise ModelError(
                f"{VARIABLE}={self.model}: {type(pipe).__name__} does not animate an image; "
                "name an image-to-video pipeline (e.g. stabilityai/stable-video-diffusion-img2vid)"
            )
        return place(pipe, self.device)

    def pipeline(self) -> Any:
        return MODELS.get(("motion", self.model, str(self.device)), self._load)

    def _generate(self, pipe: Any, jobs: list[MotionJob]) -> list[np.ndarray]:
        """One pipeline call: a uint8 video per job, at the model's size."""
        import torch

        multiple = side_multiple(pipe)
        width, height = (
            max(multiple, round(side / multiple) * multiple) for side in (self.width, self.height)
        )
        images = []
        for job in jobs:
            with Image.open(job.keyframe) as keyframe:
                images.append(ImageOps.fit(keyframe.convert("RGB"), (width, height), Image.LANCZOS))
        generator_device = "cpu" if self.device.offload != "none" else self.device.torch_device()
        kwargs: dict[str, Any] = {
            "image": images,
            "num_frames": frames_for(pipe, self.frames),
            "height": height,
            "width": width,
            "num_inference_steps": self.steps,
            "generator": [torch.Generator(generator_device).manual_seed(j.seed) for j in jobs],
            "output_type": "np",
        }
        if "prompt" in inspect.signature(pipe.__call__).parameters:
            kwargs["prompt"] = [job.prompt for job in jobs]
        with torch.inference_mode():
            videos = pipe(**kwargs).frames
        return [as_frames(video) for video in videos]

    def _clips(self, pipe: Any, jobs: list[MotionJob]) -> list[np.ndarray | str]:
        """Videos for a batch, or why not: a batch that raises is tried one job at a time (a
        pipeline may take one image per call, or a batch may not fit the GPU)."""
        try:
            return self._generate(pipe, jobs)
        except Exception as exc:  # a failed generation costs its shots their motion, not the run
            if len(jobs) == 1:
                return [reason(exc)]
        return [clip for job in jobs for clip in self._clips(pipe, [job])]

    def animate(self, jobs: list[MotionJob], out_dir: Path) -> list[Path | None]:
        """A clip per job, or None where the shot keeps the eased pan; this call's reasons are in
        `notes` as {"shot": index in jobs, "reason": ...}."""
        pipe = self.pipeline()
        out_dir.mkdir(parents=True, exist_ok=True)
        self.notes = []
        out: list[Path | None] = []
        for start in range(0, len(jobs), self.batch_size):
            chunk = jobs[start : start + self.batch_size]
            clips = self._clips(pipe, chunk)
            for index, (job, clip) in enumerate(zip(chunk, clips, strict=True), start):
                out.append(self._keep(index, job, clip, out_dir))
        return out

    def _keep(
        self, index: int, job: MotionJob, clip: np.ndarray | str, out_dir: Path
    ) -> Path | None:
        """The clip written and gated; None, with the reason noted, where it has none or fails."""
        if isinstance(clip, str):
            self.notes.append({"shot": index, "reason": clip})
            return None
        path = write_clip(
            clip, out_dir / f"shot-{index:03d}.mp4", job.seconds, job.fps, job.width, job.height
        )
        checked = clip_gate(path, job.seconds, job.width, job.height, job.fps)
        if checked.passed:
            return path
        path.unlink()
        self.notes.append({"shot": index, "reason": f"motion gate: {checked.reason}"})
        return None
