"""The diffusers painter: any text-to-image pipeline paints the keyframes.

Prompts come from the template (who is in the shot, how they look, where, what happens); a
shot's seed comes from its focus character, so one character is drawn from the same noise in
every shot and every episode. Shots of every episode in a batch are painted together,
`batch_size` images per pipeline call. A picture that comes out blank is painted again with
another seed, then left to the storyboard painter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps

from microdrama.models.device import MODELS, DeviceConfig, ModelError, load_pipeline, place
from microdrama.picture.storyboard import PaintJob, paint_shot
from microdrama.quality.gates import MIN_LUMA_STD, luma_spread
from microdrama.words.story import Shot
from microdrama.words.template import Character, GenreTemplate

VARIABLE = "MICRODRAMA_PAINTER_MODEL"
COLOR_NAMES = {
    "black": (20, 20, 20),
    "white": (240, 240, 240),
    "grey": (128, 128, 128),
    "red": (180, 30, 40),
    "burgundy": (110, 20, 35),
    "pink": (230, 140, 170),
    "orange": (230, 130, 40),
    "gold": (200, 160, 40),
    "brown": (100, 60, 30),
    "beige": (225, 205, 170),
    "green": (40, 130, 60),
    "teal": (30, 120, 120),
    "blue": (40, 70, 170),
    "navy": (25, 35, 70),
    "purple": (110, 50, 140),
    "lavender": (200, 180, 230),
}
GRADE_WORDS = {
    "warm": "warm golden light",
    "cool": "cool blue light",
    "noir": "high-contrast noir lighting",
    "neutral": "natural light",
}


def color_name(hex_color: str) -> str:
    rgb = tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return min(
        COLOR_NAMES,
        key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOR_NAMES[n], rgb, strict=True)),
    )


def describe(who: Character) -> str:
    look = who.look
    return (
        f"{who.name}, {who.archetype}, {look.hair_style} {color_name(look.hair)} hair, "
        f"{color_name(look.outfit)} outfit"
    )


def prompt(template: GenreTemplate, shot: Shot) -> str:
    place = template.location(shot.location)
    cast = shot.cast[:1] if shot.type in ("close-up", "over-shoulder") else shot.cast
    people = "; ".join(describe(template.character(c)) for c in cast)
    if shot.type == "insert" and shot.prop:
        people = f"{template.prop(shot.prop).name} in detail, no people"
    # most important first: CLIP-style text encoders read only the first 77 tokens
    return (
        f"{shot.action}; {people}; {place.name}, {place.setting}; {shot.type} shot, "
        f"vertical cinematic still, {GRADE_WORDS[template.style.grade]}"
    )


def seed(template: GenreTemplate, shot: Shot) -> int:
    """The focus character's seed: the same face from the same noise in every shot."""
    who = shot.cast[0] if shot.cast else shot.location
    return int(hashlib.sha256(f"{template.genre}|{who}".encode()).hexdigest()[:8], 16)


@dataclass
class DiffusionPainter:
    model: str
    device: DeviceConfig
    width: int = 576  # the pipeline's 9:16 size, a multiple of 64; frames are resized after
    height: int = 1024
    steps: int = 2
    guidance: float = 0.0  # turbo/distilled models paint without classifier-free guidance
    batch_size: int = 4
    attention_slicing: bool = False
    attempts: int = 2
    neural: bool = True

    def __post_init__(self) -> None:
        if self.width % 8 or self.height % 8 or self.width * 16 != self.height * 9:
            raise ModelError(
                f"MICRODRAMA_PAINTER_SIZE={self.width}x{self.height}: must be 9:16, "
                "both sides multiples of 8 (e.g. 576x1024)"
            )

    def _load(self) -> Any:
        import diffusers

        pipe = load_pipeline(diffusers.AutoPipelineForText2Image, self.model, VARIABLE, self.device)
        if self.attention_slicing:
            pipe.enable_attention_slicing()
        return place(pipe, self.device)

    def pipeline(self) -> Any:
        return MODELS.get(("painter", self.model, str(self.device)), self._load)

    def _paint(self, jobs: list[PaintJob], attempt: int) -> list[Image.Image]:
        import torch

        pipe = self.pipeline()
        generator_device = "cpu" if self.device.offload != "none" else self.device.torch_device()
        images = []
        for start in range(0, len(jobs), self.batch_size):
            chunk = jobs[start : start + self.batch_size]
            generators = [
                torch.Generator(generator_device).manual_seed(seed(*job) + attempt) for job in chunk
            ]
            with torch.inference_mode():
                images += pipe(
                    prompt=[prompt(*job) for job in chunk],
                    num_inference_steps=self.steps,
                    guidance_scale=self.guidance,
                    width=self.width,
                    height=self.height,
                    generator=generators,
                ).images
        return images

    def paint(
        self, jobs: list[PaintJob], width: int, height: int, first_attempt: int = 0
    ) -> tuple[list[Image.Image], list[bool]]:
        """Keyframes at the video size, and which fell back to the storyboard painter.

        `first_attempt` offsets the seeds: the image screen repaints a flagged shot from
        noise no earlier attempt used."""
        out: list[Image.Image | None] = [None] * len(jobs)
        pending = list(range(len(jobs)))
        for attempt in range(first_attempt, first_attempt + self.attempts):
            if not pending:
                break
            painted = self._paint([jobs[i] for i in pending], attempt)
            still = []
            for i, image in zip(pending, painted, strict=True):
                frame = ImageOps.fit(image.convert("RGB"), (width, height), Image.LANCZOS)
                if luma_spread(frame) >= MIN_LUMA_STD:
                    out[i] = frame
                else:
                    still.append(i)
            pending = still
        for i in pending:
            out[i] = paint_shot(*jobs[i], width, height)
        return [image for image in out if image is not None], [
            i in pending for i in range(len(jobs))
        ]
