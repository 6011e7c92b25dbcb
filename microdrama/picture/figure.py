"""Where a figure's parts go and what colors it wears: shared by the outfit and face painters,
so every layer of one character is measured from the same head."""

from __future__ import annotations

from dataclasses import dataclass

from microdrama.picture.brush import RGB, mix, rgb
from microdrama.words.template import Look


@dataclass(frozen=True)
class Figure:
    """A figure whose head (height `head`) is centered at (cx, head_y)."""

    cx: float
    head_y: float
    head: float
    full_body: bool

    @property
    def hw(self) -> float:
        """Half the head's width: the unit most parts are measured in."""
        return self.head * 0.4

    @property
    def top(self) -> float:
        return self.head_y - self.head / 2

    @property
    def shoulder_y(self) -> float:
        return self.head_y + self.head * 0.75

    @property
    def body_h(self) -> float:
        """Shoulder to hip when the legs show; to below the frame's edge when they do not."""
        return self.head * (3.1 if self.full_body else 4.5)

    @property
    def hip_y(self) -> float:
        return self.shoulder_y + self.body_h

    @property
    def hand(self) -> tuple[float, float]:
        """Where the holding hand (the figure's left, right of frame) rests: before the chest."""
        return self.cx + self.hw * 1.25, self.shoulder_y + self.head * 0.95


@dataclass(frozen=True)
class Palette:
    """A look's colors, with the shades the painters use."""

    skin: RGB
    hair: RGB
    outfit: RGB
    accent: RGB

    @classmethod
    def of(cls, look: Look) -> Palette:
        return cls(rgb(look.skin), rgb(look.hair), rgb(look.outfit), rgb(look.accent))

    @property
    def shade(self) -> RGB:
        return mix(self.outfit, (0, 0, 0), 0.3)

    @property
    def dark(self) -> RGB:
        return mix(self.outfit, (0, 0, 0), 0.5)

    @property
    def light(self) -> RGB:
        return mix(self.outfit, (255, 255, 255), 0.35)
