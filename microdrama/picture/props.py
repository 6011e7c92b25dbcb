"""Prop painters: one small function per drawing, and the words that name them.

`PROPS` maps a drawing name (the template schema's PROP_DRAWINGS) to its painter; `WORDS` maps
the nouns that action lines and prop names use ("a folder", "her veil", "the champagne glass")
to a drawing, so the storyboard can put the prop a line names into a character's hand. Every
painter draws centered on (x, y) at scale r (about half the prop's width), so the same function
fills an insert shot and sits in a hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw

from microdrama.picture.brush import RGB, MissingPainter, Registry, mix, rgb
from microdrama.words.template import Prop

Paint = Callable[[ImageDraw.ImageDraw, float, float, float, RGB], None]


@dataclass(frozen=True)
class PropPainter:
    paint: Paint
    color: RGB  # when no template prop gives one (a prop an action line names in passing)
    worn: bool = False  # worn on the head (a veil) rather than held in a hand


PROPS: Registry[PropPainter] = Registry("prop")


def prop(*names: str, color: str, worn: bool = False) -> Callable[[Paint], Paint]:
    """Register `paint` under `names` with its default color."""

    def add(paint: Paint) -> Paint:
        for name in names:
            PROPS.add(name, PropPainter(paint, rgb(color), worn))
        return paint

    return add


def _tones(color: RGB, r: float) -> tuple[RGB, RGB, int]:
    """The edge (darker), the highlight (lighter) and the line width of a prop at scale r."""
    return mix(color, (0, 0, 0), 0.45), mix(color, (255, 255, 255), 0.5), max(2, int(r * 0.06))


# --- the original ten drawings ---------------------------------------------------------------


@prop("ring", color="#e8e8f0")
def _ring(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.9), outline=color, width=int(r * 0.18))
    gem = [
        (x, y - r * 1.05),
        (x - r * 0.3, y - r * 0.7),
        (x, y - r * 0.45),
        (x + r * 0.3, y - r * 0.7),
    ]
    d.polygon(gem, fill=light, outline=edge)


@prop("ringbox", color="#5a1a2e")
def _ringbox(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.rounded_rectangle((x - r, y - r * 0.1, x + r, y + r * 0.8), radius=r * 0.15, fill=color)
    d.polygon(
        [(x - r, y - r * 0.1), (x + r, y - r * 0.1), (x + r * 0.8, y - r), (x - r * 0.8, y - r)],
        fill=edge,
    )
    d.ellipse(
        (x - r * 0.45, y - r * 0.35, x + r * 0.45, y + r * 0.3),
        outline=(240, 240, 250),
        width=line * 2,
    )
    d.polygon(
        [(x, y - r * 0.6), (x - r * 0.15, y - r * 0.4), (x + r * 0.15, y - r * 0.4)],
        fill=(235, 245, 255),
    )


def _page(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.rectangle((x - r, y - r * 1.3, x + r, y + r), fill=color, outline=edge, width=line)


@prop("document", color="#f2ead8")
def _document(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    _page(d, x, y, r, color)
    for n in range(6):
        ly = y - r * 1.0 + n * r * 0.28
        d.line((x - r * 0.75, ly, x + r * (0.75 - 0.3 * (n % 2)), ly), fill=edge, width=line)
    d.line((x + r * 0.1, y + r * 0.75, x + r * 0.7, y + r * 0.6), fill=(20, 30, 90), width=line)


@prop("photo", color="#c9b48a")
def _photo(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    _page(d, x, y, r, color)
    d.rectangle((x - r * 0.8, y - r * 1.1, x + r * 0.8, y + r * 0.5), fill=edge)
    for dx in (-0.35, 0.35):  # two faces
        d.ellipse((x + r * (dx - 0.18), y - r * 0.7, x + r * (dx + 0.18), y - r * 0.3), fill=light)
        d.pieslice(
            (x + r * (dx - 0.3), y - r * 0.25, x + r * (dx + 0.3), y + r * 0.7),
            180,
            360,
            fill=light,
        )


@prop("phone", color="#1c1c22")
def _phone(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    _, light, line = _tones(color, r)
    d.rounded_rectangle(
        (x - r * 0.55, y - r * 1.1, x + r * 0.55, y + r),
        radius=r * 0.15,
        fill=color,
        outline=light,
        width=line,
    )
    d.rectangle((x - r * 0.45, y - r * 0.95, x + r * 0.45, y + r * 0.8), fill=(200, 220, 255))
    d.rounded_rectangle(
        (x - r * 0.35, y - r * 0.7, x + r * 0.35, y - r * 0.45),
        radius=r * 0.06,
        fill=(90, 120, 200),
    )


@prop("cup", color="#7aa37a")
def _cup(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.polygon(
        [
            (x - r * 0.8, y - r * 0.6),
            (x + r * 0.8, y - r * 0.6),
            (x + r * 0.55, y + r),
            (x - r * 0.55, y + r),
        ],
        fill=light,
        outline=edge,
    )
    d.ellipse((x - r * 0.8, y - r * 0.8, x + r * 0.8, y - r * 0.4), fill=color, outline=edge)
    d.arc(
        (x + r * 0.5, y - r * 0.4, x + r * 1.1, y + r * 0.4),
        -90,
        90,
        fill=light,
        width=int(r * 0.15),
    )


@prop("bottle", color="#d98c2b")
def _bottle(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.rectangle((x - r * 0.5, y - r * 0.5, x + r * 0.5, y + r), fill=color, outline=edge)
    d.rectangle((x - r * 0.2, y - r * 1.0, x + r * 0.2, y - r * 0.5), fill=color, outline=edge)
    d.rectangle((x - r * 0.25, y - r * 1.2, x + r * 0.25, y - r * 1.0), fill=edge)
    d.rectangle((x - r * 0.4, y - r * 0.1, x + r * 0.4, y + r * 0.4), fill=light)


@prop("necklace", color="#cfe3ff")
def _necklace(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.arc((x - r, y - r * 1.2, x + r, y + r * 0.6), 20, 160, fill=light, width=line * 2)
    d.ellipse((x - r * 0.28, y + r * 0.45, x + r * 0.28, y + r * 1.0), fill=color, outline=edge)


@prop("key", color="#c9a227")
def _key(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    _, _, line = _tones(color, r)
    d.ellipse((x - r * 0.9, y - r * 0.45, x - r * 0.2, y + r * 0.25), outline=color, width=line * 3)
    d.rectangle((x - r * 0.25, y - r * 0.15, x + r, y + r * 0.02), fill=color)
    for tx in (0.55, 0.8):
        d.rectangle((x + r * tx, y, x + r * (tx + 0.12), y + r * 0.3), fill=color)


@prop("blade", color="#c0c6cc")
def _blade(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.polygon(
        [(x - r * 0.12, y + r * 0.3), (x + r * 0.12, y + r * 0.3), (x, y - r * 1.4)],
        fill=color,
        outline=light,
    )
    d.rectangle((x - r * 0.4, y + r * 0.3, x + r * 0.4, y + r * 0.42), fill=edge)
    d.rectangle((x - r * 0.08, y + r * 0.42, x + r * 0.08, y + r * 0.95), fill=edge)


@prop("box", color="#b3246b")
def _box(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    """A wrapped gift: what the storyboard drew for every prop it did not know, now only this."""
    edge, light, line = _tones(color, r)
    d.rectangle((x - r * 0.8, y - r * 0.6, x + r * 0.8, y + r), fill=color, outline=edge)
    d.rectangle((x - r * 0.12, y - r * 0.6, x + r * 0.12, y + r), fill=light)
    d.rectangle((x - r * 0.8, y + r * 0.1, x + r * 0.8, y + r * 0.3), fill=light)
    d.ellipse((x - r * 0.4, y - r * 0.9, x, y - r * 0.55), outline=light, width=line)
    d.ellipse((x, y - r * 0.9, x + r * 0.4, y - r * 0.55), outline=light, width=line)


# --- what the trope library's actions name ---------------------------------------------------


@prop("card", color="#111111")
def _card(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    _, light, line = _tones(color, r)
    d.rounded_rectangle(
        (x - r, y - r * 0.62, x + r, y + r * 0.62),
        radius=r * 0.1,
        fill=color,
        outline=(200, 170, 80),
        width=line,
    )
    d.rounded_rectangle(
        (x - r * 0.75, y - r * 0.3, x - r * 0.35, y), radius=r * 0.05, fill=(212, 175, 55)
    )
    d.line((x - r * 0.75, y + r * 0.3, x + r * 0.5, y + r * 0.3), fill=light, width=line)


@prop("test", color="#f0f0f0")
def _test(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.rounded_rectangle(
        (x - r * 0.22, y - r * 1.2, x + r * 0.22, y + r * 1.2),
        radius=r * 0.2,
        fill=color,
        outline=edge,
        width=line,
    )
    d.rectangle((x - r * 0.13, y - r * 0.5, x + r * 0.13, y), fill=(250, 250, 255), outline=edge)
    for ly in (-0.38, -0.16):  # two pink lines
        d.line((x - r * 0.1, y + r * ly, x + r * 0.1, y + r * ly), fill=(230, 60, 120), width=line)
    d.rounded_rectangle(
        (x - r * 0.22, y + r * 0.6, x + r * 0.22, y + r * 1.2), radius=r * 0.2, fill=(120, 160, 230)
    )


@prop("drive", color="#3a6ea5")
def _drive(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.rounded_rectangle(
        (x - r * 0.35, y - r * 0.3, x + r * 0.35, y + r),
        radius=r * 0.12,
        fill=color,
        outline=edge,
        width=line,
    )
    d.rectangle(
        (x - r * 0.25, y - r * 0.8, x + r * 0.25, y - r * 0.3), fill=(200, 200, 210), outline=edge
    )
    for dx in (-0.1, 0.1):
        d.rectangle(
            (x + r * (dx - 0.05), y - r * 0.65, x + r * (dx + 0.05), y - r * 0.5), fill=edge
        )


@prop("hairpin", color="#d4af37")
def _hairpin(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.line((x - r * 0.8, y + r * 0.9, x + r * 0.5, y - r * 0.6), fill=color, width=line * 2)
    for i in range(5):  # a flower of beads at the head
        a = i * 2 * math.pi / 5
        px, py = x + r * 0.55 + r * 0.25 * math.cos(a), y - r * 0.7 + r * 0.25 * math.sin(a)
        d.ellipse(
            (px - r * 0.16, py - r * 0.16, px + r * 0.16, py + r * 0.16), fill=light, outline=edge
        )
    d.ellipse((x + r * 0.45, y - r * 0.8, x + r * 0.65, y - r * 0.6), fill=(200, 30, 50))
    d.line((x + r * 0.5, y - r * 0.5, x + r * 0.7, y + r * 0.2), fill=color, width=line)
    d.ellipse((x + r * 0.62, y + r * 0.15, x + r * 0.8, y + r * 0.35), fill=(60, 170, 110))


@prop("stone", color="#bcd7ff")
def _stone(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.ellipse((x - r * 1.1, y - r * 0.2, x + r * 1.1, y + r * 0.7), fill=(90, 80, 70))  # the plinth
    d.ellipse((x - r * 0.8, y - r * 1.0, x + r * 0.8, y + r * 0.4), fill=color, outline=edge)
    d.ellipse((x - r * 0.45, y - r * 0.8, x - r * 0.05, y - r * 0.45), fill=light)


@prop("bracelet", color="#f4e1e8")
def _bracelet(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, _ = _tones(color, r)
    d.ellipse((x - r, y - r * 0.55, x + r, y + r * 0.55), outline=color, width=int(r * 0.22))
    d.rectangle(
        (x - r * 0.4, y + r * 0.25, x + r * 0.4, y + r * 0.6), fill=(255, 255, 255), outline=edge
    )
    d.line(
        (x - r * 0.3, y + r * 0.42, x + r * 0.3, y + r * 0.42),
        fill=edge,
        width=max(1, int(r * 0.05)),
    )


@prop("glass", color="#8a1c2c")
def _glass(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    glass = (225, 235, 245, 170)
    d.pieslice((x - r * 0.6, y - r * 1.4, x + r * 0.6, y + r * 0.2), 0, 180, fill=glass)
    d.chord((x - r * 0.5, y - r * 1.1, x + r * 0.5, y + r * 0.1), 0, 180, fill=color)
    d.rectangle((x - r * 0.06, y - r * 0.6, x + r * 0.06, y + r * 0.8), fill=glass)
    d.ellipse((x - r * 0.45, y + r * 0.7, x + r * 0.45, y + r * 0.95), fill=glass)


@prop("vial", color="#6fb7c9")
def _vial(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, _ = _tones(color, r)
    d.rounded_rectangle(
        (x - r * 0.22, y - r * 0.8, x + r * 0.22, y + r),
        radius=r * 0.2,
        fill=(230, 240, 245),
        outline=edge,
    )
    d.rounded_rectangle(
        (x - r * 0.17, y - r * 0.2, x + r * 0.17, y + r * 0.95), radius=r * 0.16, fill=color
    )
    d.rectangle((x - r * 0.26, y - r * 1.05, x + r * 0.26, y - r * 0.8), fill=(140, 90, 50))


@prop("veil", color="#f4f2ee", worn=True)
def _veil(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    """Sheer lace: a translucent drape with a scalloped hem, the figure's face still showing."""
    sheer = (*color, 120)
    d.pieslice((x - r, y - r * 1.2, x + r, y + r * 0.8), 180, 360, fill=sheer)
    d.polygon(
        [
            (x - r, y - r * 0.2),
            (x + r, y - r * 0.2),
            (x + r * 1.25, y + r * 1.3),
            (x - r * 1.25, y + r * 1.3),
        ],
        fill=sheer,
    )
    for i in range(9):  # the lace hem
        hx = x - r * 1.25 + i * r * 2.5 / 8
        d.ellipse((hx - r * 0.14, y + r * 1.2, hx + r * 0.14, y + r * 1.42), fill=(*color, 170))
    d.arc(
        (x - r * 0.9, y - r * 1.1, x + r * 0.9, y + r * 0.4),
        200,
        340,
        fill=(*color, 200),
        width=max(2, int(r * 0.05)),
    )


@prop("knife", color="#d8dde2")
def _knife(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.polygon(
        [
            (x - r * 0.14, y + r * 0.2),
            (x + r * 0.16, y + r * 0.2),
            (x + r * 0.16, y - r * 1.0),
            (x - r * 0.14, y - r * 1.3),
        ],
        fill=color,
        outline=edge,
    )
    d.line(
        (x + r * 0.12, y + r * 0.2, x + r * 0.12, y - r), fill=light, width=max(1, int(r * 0.04))
    )
    d.rounded_rectangle(
        (x - r * 0.16, y + r * 0.2, x + r * 0.18, y + r), radius=r * 0.08, fill=(60, 35, 20)
    )


@prop("pistol", color="#2b2d31")
def _pistol(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    _, light, line = _tones(color, r)
    d.rectangle(
        (x - r, y - r * 0.5, x + r * 0.6, y - r * 0.15), fill=color, outline=light, width=line
    )
    d.polygon(
        [
            (x + r * 0.1, y - r * 0.15),
            (x + r * 0.6, y - r * 0.15),
            (x + r * 0.75, y + r * 0.8),
            (x + r * 0.3, y + r * 0.8),
        ],
        fill=color,
        outline=light,
    )
    d.arc((x - r * 0.25, y - r * 0.3, x + r * 0.2, y + r * 0.25), 0, 180, fill=light, width=line)
    d.rectangle((x - r * 0.95, y - r * 0.62, x - r * 0.85, y - r * 0.5), fill=light)


@prop("boat", color="#7a4b2a")
def _boat(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.polygon(
        [
            (x - r * 1.2, y),
            (x + r * 1.2, y),
            (x + r * 0.85, y + r * 0.5),
            (x - r * 0.85, y + r * 0.5),
        ],
        fill=color,
        outline=edge,
    )
    d.line((x, y, x, y - r * 1.4), fill=edge, width=line)
    d.polygon(
        [(x + r * 0.05, y - r * 1.35), (x + r * 0.05, y - r * 0.1), (x + r * 0.9, y - r * 0.1)],
        fill=(240, 236, 225),
    )
    for i in range(4):  # water
        wx = x - r * 1.3 + i * r * 0.75
        d.arc(
            (wx, y + r * 0.45, wx + r * 0.7, y + r * 0.75),
            200,
            340,
            fill=(120, 170, 220),
            width=line,
        )


@prop("pen", color="#1a1a1a")
def _pen(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    _, _, line = _tones(color, r)
    d.line((x - r * 0.7, y + r * 0.9, x + r * 0.5, y - r * 0.9), fill=color, width=int(r * 0.16))
    d.line(
        (x + r * 0.5, y - r * 0.9, x + r * 0.6, y - r * 1.05),
        fill=(212, 175, 55),
        width=int(r * 0.1),
    )
    d.line((x - r * 0.7, y + r * 0.9, x - r * 0.78, y + r * 1.05), fill=(212, 175, 55), width=line)


@prop("folder", color="#c8a060")
def _folder(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.rectangle((x - r, y - r * 0.9, x - r * 0.2, y - r * 0.7), fill=color, outline=edge)
    d.rectangle((x - r * 0.9, y - r * 0.8, x + r * 0.9, y + r * 0.75), fill=(245, 245, 240))
    d.rectangle((x - r, y - r * 0.7, x + r, y + r * 0.85), fill=color, outline=edge, width=line)
    d.rectangle((x - r * 0.5, y - r * 0.2, x + r * 0.5, y + r * 0.1), fill=light, outline=edge)


@prop("scroll", color="#f0d060")
def _scroll(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.rectangle((x - r * 0.75, y - r * 0.9, x + r * 0.75, y + r * 0.9), fill=color, outline=edge)
    for ry in (-1.0, 0.9):  # the rollers
        d.rounded_rectangle(
            (x - r * 0.95, y + r * ry - r * 0.06, x + r * 0.95, y + r * ry + r * 0.14),
            radius=r * 0.08,
            fill=(120, 60, 30),
        )
    for col in range(3):  # vertical writing
        cx = x + r * (0.4 - col * 0.4)
        d.line((cx, y - r * 0.7, cx, y + r * 0.6), fill=edge, width=line)
    d.rectangle((x - r * 0.6, y + r * 0.45, x - r * 0.3, y + r * 0.75), fill=(190, 30, 30))


@prop("fan", color="#e8b4c8")
def _fan(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.pieslice(
        (x - r * 1.1, y - r * 1.1, x + r * 1.1, y + r * 1.1), 200, 340, fill=color, outline=edge
    )
    d.pieslice((x - r * 0.35, y - r * 0.35, x + r * 0.35, y + r * 0.35), 200, 340, fill=light)
    for a in range(200, 341, 20):  # the ribs
        t = math.radians(a)
        d.line(
            (x, y, x + r * 1.1 * math.cos(t), y + r * 1.1 * math.sin(t)),
            fill=edge,
            width=max(1, line // 2),
        )
    d.ellipse((x - r * 0.08, y - r * 0.08, x + r * 0.08, y + r * 0.08), fill=edge)


@prop("suitcase", color="#6b4a2b")
def _suitcase(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.rounded_rectangle(
        (x - r * 0.35, y - r * 0.95, x + r * 0.35, y - r * 0.55),
        radius=r * 0.1,
        outline=edge,
        width=line * 2,
    )
    d.rounded_rectangle(
        (x - r, y - r * 0.6, x + r, y + r * 0.8),
        radius=r * 0.12,
        fill=color,
        outline=edge,
        width=line,
    )
    for sx in (-0.55, 0.55):
        d.rectangle(
            (x + r * (sx - 0.06), y - r * 0.6, x + r * (sx + 0.06), y + r * 0.8), fill=light
        )


@prop("bag", color="#8a2a3a")
def _bag(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.arc((x - r * 0.5, y - r * 1.0, x + r * 0.5, y - r * 0.1), 180, 360, fill=edge, width=line * 2)
    d.polygon(
        [
            (x - r * 0.75, y - r * 0.45),
            (x + r * 0.75, y - r * 0.45),
            (x + r, y + r * 0.7),
            (x - r, y + r * 0.7),
        ],
        fill=color,
        outline=edge,
    )
    d.rectangle((x - r * 0.15, y - r * 0.3, x + r * 0.15, y - r * 0.1), fill=(212, 175, 55))


@prop("candle", color="#f4ecd8")
def _candle(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.ellipse((x - r * 0.6, y - r * 1.4, x + r * 0.6, y - r * 0.2), fill=(255, 200, 80, 60))  # halo
    d.rectangle((x - r * 0.22, y - r * 0.5, x + r * 0.22, y + r), fill=color, outline=edge)
    d.line((x, y - r * 0.5, x, y - r * 0.62), fill=(40, 30, 20), width=line)
    d.polygon(
        [
            (x, y - r * 1.05),
            (x - r * 0.12, y - r * 0.7),
            (x, y - r * 0.58),
            (x + r * 0.12, y - r * 0.7),
        ],
        fill=(255, 190, 60),
    )
    d.ellipse((x - r * 0.6, y + r * 0.85, x + r * 0.6, y + r * 1.1), fill=(180, 150, 60))


@prop("map", color="#e6d3a3")
def _map(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    folds = [x - r, x - r * 0.33, x + r * 0.33, x + r]
    for i in range(3):
        dy = r * 0.1 * (1 if i % 2 else -1)
        d.polygon(
            [
                (folds[i], y - r * 0.8 + dy),
                (folds[i + 1], y - r * 0.8 - dy),
                (folds[i + 1], y + r * 0.8 - dy),
                (folds[i], y + r * 0.8 + dy),
            ],
            fill=mix(color, edge, 0.15 * (i % 2)),
            outline=edge,
        )
    d.line(
        (x - r * 0.8, y + r * 0.4, x - r * 0.2, y - r * 0.1, x + r * 0.5, y + r * 0.1),
        fill=(120, 90, 60),
        width=line,
    )
    d.ellipse(
        (x + r * 0.3, y - r * 0.1, x + r * 0.75, y + r * 0.3), outline=(200, 30, 30), width=line
    )


@prop("handkerchief", color="#f6f3ee")
def _handkerchief(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.polygon(
        [
            (x - r * 0.9, y - r * 0.7),
            (x + r * 0.8, y - r * 0.8),
            (x + r * 0.9, y + r * 0.7),
            (x - r * 0.8, y + r * 0.8),
        ],
        fill=color,
        outline=edge,
    )
    d.rectangle(
        (x - r * 0.75, y - r * 0.6, x + r * 0.72, y + r * 0.65), outline=(150, 170, 200), width=line
    )
    d.ellipse(
        (x - r * 0.1, y - r * 0.05, x + r * 0.35, y + r * 0.3), fill=(170, 20, 30)
    )  # the stain


@prop("locket", color="#d4af37")
def _locket(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.arc((x - r * 0.8, y - r * 1.3, x + r * 0.8, y + r * 0.1), 20, 160, fill=color, width=line)
    d.line((x - r * 0.75, y - r * 0.8, x, y - r * 0.1), fill=color, width=line)
    d.line((x + r * 0.75, y - r * 0.8, x, y - r * 0.1), fill=color, width=line)
    d.ellipse(
        (x - r * 0.45, y - r * 0.15, x + r * 0.45, y + r * 0.85),
        fill=color,
        outline=edge,
        width=line,
    )
    d.ellipse((x - r * 0.28, y + r * 0.02, x + r * 0.28, y + r * 0.68), fill=light)


@prop("statue", color="#d4af37")
def _statue(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    d.rectangle((x - r * 0.6, y + r * 0.7, x + r * 0.6, y + r), fill=(60, 50, 45))
    d.polygon(
        [
            (x - r * 0.35, y + r * 0.7),
            (x + r * 0.35, y + r * 0.7),
            (x + r * 0.2, y - r * 0.4),
            (x - r * 0.2, y - r * 0.4),
        ],
        fill=color,
        outline=edge,
    )
    d.ellipse((x - r * 0.22, y - r * 0.85, x + r * 0.22, y - r * 0.4), fill=color, outline=edge)
    d.line((x + r * 0.15, y - r * 0.2, x + r * 0.55, y - r * 0.9), fill=color, width=int(r * 0.12))
    d.ellipse((x - r * 0.12, y - r * 0.75, x - r * 0.02, y - r * 0.6), fill=light)


@prop("jug", color="#9a6a3a")
def _jug(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, line = _tones(color, r)
    d.ellipse((x - r * 0.7, y - r * 0.5, x + r * 0.7, y + r), fill=color, outline=edge)
    d.polygon(
        [
            (x - r * 0.25, y - r * 0.4),
            (x + r * 0.25, y - r * 0.4),
            (x + r * 0.3, y - r),
            (x - r * 0.45, y - r * 1.05),
        ],
        fill=color,
        outline=edge,
    )
    d.arc((x + r * 0.35, y - r * 0.7, x + r * 1.0, y + r * 0.3), -80, 80, fill=edge, width=line * 2)
    d.line((x - r * 0.55, y + r * 0.1, x + r * 0.55, y + r * 0.1), fill=light, width=line)


@prop("envelope", color="#efe6d2")
def _envelope(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, line = _tones(color, r)
    d.rectangle((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=color, outline=edge, width=line)
    d.line((x - r, y - r * 0.6, x, y + r * 0.1, x + r, y - r * 0.6), fill=edge, width=line)
    d.ellipse((x - r * 0.15, y - r * 0.05, x + r * 0.15, y + r * 0.25), fill=(170, 20, 30))


@prop("coins", color="#d4af37")
def _coins(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, light, _ = _tones(color, r)
    for i, (dx, dy) in enumerate(
        ((-0.5, 0.3), (0.1, 0.45), (0.55, 0.2), (-0.15, -0.1), (0.35, -0.25))
    ):
        cx, cy = x + r * dx, y + r * dy
        d.ellipse(
            (cx - r * 0.38, cy - r * 0.2, cx + r * 0.38, cy + r * 0.2),
            fill=color if i % 2 else light,
            outline=edge,
        )


@prop("seal", color="#c23a2a")
def _seal(d: ImageDraw.ImageDraw, x: float, y: float, r: float, color: RGB) -> None:
    edge, _, _ = _tones(color, r)
    d.rectangle((x - r * 0.6, y, x + r * 0.6, y + r * 0.7), fill=(230, 210, 150), outline=edge)
    d.rectangle((x - r * 0.45, y + r * 0.7, x + r * 0.45, y + r * 0.85), fill=color)
    d.ellipse(
        (x - r * 0.45, y - r * 0.9, x + r * 0.45, y), fill=(230, 210, 150), outline=edge
    )  # a carved beast's head
    d.ellipse((x - r * 0.15, y - r * 0.6, x - r * 0.05, y - r * 0.5), fill=edge)


# --- the words that name them ----------------------------------------------------------------

WORDS: dict[str, str] = {  # a noun an action line or a prop's name uses -> its drawing
    "ring": "ring",
    "rings": "ring",
    "wedding bands": "ring",
    "bands": "ring",
    "velvet box": "ringbox",
    "ring box": "ringbox",
    "box": "box",
    "gift": "box",
    "gift box": "box",
    "page": "document",
    "papers": "document",
    "contract": "document",
    "report": "document",
    "record": "document",
    "notes": "document",
    "note": "document",
    "letters": "document",
    "list": "document",
    "statement": "document",
    "statements": "document",
    "rubbing": "document",
    "clause": "document",
    "photo": "photo",
    "photograph": "photo",
    "portrait": "photo",
    "phone": "phone",
    "cup": "cup",
    "tea": "cup",
    "bottle": "bottle",
    "pill": "bottle",
    "pills": "bottle",
    "necklace": "necklace",
    "pendant": "necklace",
    "key": "key",
    "dagger": "blade",
    "sword": "blade",
    "card": "card",
    "test": "test",
    "drive": "drive",
    "hairpin": "hairpin",
    "hairpins": "hairpin",
    "pin": "hairpin",
    "moonstone": "stone",
    "bracelet": "bracelet",
    "champagne glass": "glass",  # not "glass" alone: "watches through the glass in the door"
    "wine glass": "glass",
    "empty glass": "glass",
    "glass of": "glass",
    "a glass": "glass",
    "her glass": "glass",
    "his glass": "glass",
    "vial": "vial",
    "veil": "veil",
    "knife": "knife",
    "pistol": "pistol",
    "gun": "pistol",
    "boat": "boat",
    "pen": "pen",
    "folder": "folder",
    "scroll": "scroll",
    "fan": "fan",
    "suitcase": "suitcase",
    "bag": "bag",
    "purse": "bag",
    "candle": "candle",
    "lamp": "candle",
    "map": "map",
    "handkerchief": "handkerchief",
    "locket": "locket",
    "statue": "statue",
    "jug": "jug",
    "wine jug": "jug",
    "envelope": "envelope",
    "coins": "coins",
    "seal": "seal",
}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    words = sorted(WORDS, key=len, reverse=True)  # "wine glass" before "glass"
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def props_named(text: str) -> list[tuple[int, str]]:
    """(position, drawing) of every prop `text` names, in reading order."""
    return [(m.start(), WORDS[m.group(1).lower()]) for m in _pattern().finditer(text)]


def drawing_for(item: Prop) -> str:
    """The drawing of a template prop: the one its name's nouns pick where the table knows one
    (the library's objects predate the specific drawings: its pregnancy test says `key`), its
    declared drawing otherwise."""
    named = props_named(item.name)
    return named[0][1] if named else item.drawing


def painter(drawing: str) -> PropPainter:
    """The painter of a drawing name; MissingPainter names it when there is none."""
    return PROPS[drawing]


def paint_prop(
    d: ImageDraw.ImageDraw, drawing: str, x: float, y: float, r: float, color: str | None = None
) -> None:
    """Draw `drawing` centered on (x, y) at scale r, in `color` or the painter's own."""
    p = painter(drawing)
    p.paint(d, x, y, r, rgb(color) if color else p.color)


__all__ = [
    "PROPS",
    "WORDS",
    "MissingPainter",
    "PropPainter",
    "drawing_for",
    "paint_prop",
    "painter",
    "props_named",
]
