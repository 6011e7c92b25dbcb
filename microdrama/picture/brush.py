"""What every storyboard painter shares: colors, the canvas, soft light, and the registries
that map a name from the template schema to the small function that draws it.

A registry raises on a name it has no painter for, so a name added to the schema or the
library without its drawing fails loudly (and in tests) instead of drawing nothing or a box.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

RGB = tuple[int, int, int]
T = TypeVar("T")


def rgb(hex_color: str) -> RGB:
    """A template's #rrggbb as a PIL color."""
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> RGB:
    """`a` moved a fraction `t` toward `b`: shades and highlights of one look color."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore


def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """A box with its corners in PIL's order, whichever side of the body it was measured from."""
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def seed(*parts: str) -> int:
    """A stable seed from names (Python's hash() is salted per process; pictures must not be)."""
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int

    @property
    def horizon(self) -> int:
        return int(self.height * 0.62)


def gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    """A vertical two-color gradient (sky, wall or floor)."""
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    column = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    return Image.fromarray(np.repeat(column, w, axis=1).astype(np.uint8))  # (h, w, 3): RGB


def glow(base: Image.Image, shapes: list[tuple[str, tuple, tuple]], radius: float) -> None:
    """Add blurred light: shapes are (kind, box, color) drawn on a layer, blurred, then added."""
    layer = Image.new("RGB", base.size)
    draw = ImageDraw.Draw(layer)
    for kind, where, color in shapes:
        (draw.ellipse if kind == "ellipse" else draw.rectangle)(where, fill=color)
    layer = layer.filter(ImageFilter.GaussianBlur(radius))
    lit = np.minimum(np.asarray(base.convert("RGB"), np.uint16) + np.asarray(layer), 255)
    base.paste(Image.fromarray(lit.astype(np.uint8)).convert(base.mode))


def matte(size: tuple[int, int], pens: list[Callable[[ImageDraw.ImageDraw], None]]) -> Image.Image:
    """What `pens` draw, alone on a transparent RGBA layer.

    PIL's pen replaces a layer's pixels rather than blending a translucent stroke (a blush, a
    veil, a shadow) over them, so the pens draw over black and over white and the two are
    unmixed: alpha = 1 - (white - black) / 255, color = black / alpha. Composited over a
    picture, the layer gives the pixels that drawing straight onto it gives."""
    grounds = []
    for ground in ((0, 0, 0), (255, 255, 255)):
        img = Image.new("RGB", size, ground)
        draw = ImageDraw.Draw(img, "RGBA")
        for pen in pens:
            pen(draw)
        grounds.append(img)
    out = Image.new("RGBA", size, (0, 0, 0, 0))
    # Only the pixels the pens touched are unmixed (a character fills a third of a frame, a
    # layer with nothing in it none): every stroke changes the black ground or the white one.
    boxes = [b for b in (grounds[0].getbbox(), ImageChops.invert(grounds[1]).getbbox()) if b]
    if not boxes:
        return out
    box = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    black, white = (np.asarray(g.crop(box), np.float32) for g in grounds)
    alpha = np.clip(1.0 - (white - black).mean(axis=2, keepdims=True) / 255.0, 0.0, 1.0)
    color = black / np.maximum(alpha, 1e-6)
    rgba = np.concatenate([np.clip(color, 0, 255), alpha * 255.0], axis=2)
    out.paste(Image.fromarray(np.round(rgba).astype(np.uint8), "RGBA"), box[:2])
    return out


class MissingPainter(LookupError):
    """A name from the schema or the library that no painter draws."""


class Registry(Generic[T]):
    """Names to painters, filled by a decorator next to each painter; lookups never guess."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._painters: dict[str, T] = {}

    def register(self, *names: str) -> Callable[[T], T]:
        def add(painter: T) -> T:
            for name in names:
                if name in self._painters:
                    raise ValueError(f"two {self.kind} painters for {name!r}")
                self._painters[name] = painter
            return painter

        return add

    def add(self, name: str, painter: T) -> None:
        self.register(name)(painter)

    def __getitem__(self, name: str) -> T:
        try:
            return self._painters[name]
        except KeyError:
            known = ", ".join(sorted(self._painters))
            raise MissingPainter(
                f"no {self.kind} painter for {name!r}: add one to the {self.kind} registry "
                f"(known: {known})"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._painters

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._painters))

    def __len__(self) -> int:
        return len(self._painters)
