"""Backdrop painters: one small function per location feature and per setting.

`FEATURES` and `SETTINGS` are the registries the storyboard looks names up in; every name the
template schema allows has an entry (tests/test_storyboard.py checks), and an unknown name
raises instead of leaving the backdrop silently bare.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw

from microdrama.picture.brush import RGB, Canvas, Registry, glow, mix, rgb
from microdrama.words.template import Location


@dataclass(frozen=True)
class Stage:
    """What a backdrop painter draws on and with: one location's image, pen and seeded dice."""

    img: Image.Image
    loc: Location
    rng: random.Random
    draw: ImageDraw.ImageDraw
    w: int
    h: int
    hz: int  # the horizon
    wall_light: RGB

    @classmethod
    def of(cls, img: Image.Image, loc: Location, rng: random.Random, c: Canvas) -> Stage:
        wall_light = mix(rgb(loc.bottom), (255, 240, 210), 0.35)
        draw = ImageDraw.Draw(img, "RGBA")
        return cls(img, loc, rng, draw, c.width, c.height, c.horizon, wall_light)


Painter = Callable[[Stage], None]
FEATURES: Registry[Painter] = Registry("feature")
SETTINGS: Registry[Painter] = Registry("setting")


# --- settings: the ground a location stands on, drawn before its features --------------------


@SETTINGS.register("interior")
def _interior(s: Stage) -> None:
    loc, draw, w, h, hz = s.loc, s.draw, s.w, s.h, s.hz
    draw.rectangle((0, hz - h // 90, w, hz), fill=(*mix(rgb(loc.floor), (0, 0, 0), 0.4), 200))
    rug = mix(rgb(loc.floor), (150, 40, 50), 0.45)
    draw.ellipse((w * 0.12, hz + h * 0.12, w * 0.88, hz + h * 0.3), fill=(*rug, 120))


@SETTINGS.register("office")
def _office(s: Stage) -> None:
    draw, w, h, hz = s.draw, s.w, s.h, s.hz
    draw.rectangle((0, hz - h // 120, w, hz), fill=(40, 44, 52, 200))
    for i in range(1, 6):  # carpet tiles receding
        y = hz + (h - hz) * (i / 6) ** 1.6
        draw.line((0, y, w, y), fill=(0, 0, 0, 28), width=max(1, w // 400))


@SETTINGS.register("palace")
def _palace(s: Stage) -> None:
    draw, w, h, hz = s.draw, s.w, s.h, s.hz
    rows, cols = 6, 8
    for r in range(rows):  # a checkered marble floor in perspective
        y0 = hz + (h - hz) * (r / rows) ** 1.5
        y1 = hz + (h - hz) * ((r + 1) / rows) ** 1.5
        for k in range(cols):
            if (r + k) % 2:
                continue
            x0, x1 = w * k / cols, w * (k + 1) / cols
            draw.rectangle((x0, y0, x1, y1), fill=(255, 255, 255, 22))


@SETTINGS.register("street")
def _street(s: Stage) -> None:
    draw, w, h, hz = s.draw, s.w, s.h, s.hz
    draw.rectangle((0, hz, w, hz + h // 60), fill=(150, 150, 160, 120))  # the curb
    y = hz + (h - hz) * 0.55
    for i in range(5):  # lane dashes
        x = w * (0.05 + i * 0.22)
        draw.rectangle((x, y, x + w * 0.1, y + h // 160), fill=(240, 220, 120, 110))


@SETTINGS.register("forest")
def _forest(s: Stage) -> None:
    loc, rng, draw, w, h, hz = s.loc, s.rng, s.draw, s.w, s.h, s.hz
    blade = (*mix(rgb(loc.floor), (40, 120, 50), 0.4), 150)
    for _ in range(70):
        x, y = rng.randint(0, w), rng.randint(hz, h)
        tall = (y - hz) / (h - hz) * h / 40 + 3
        draw.line((x, y, x + rng.randint(-3, 3), y - tall), fill=blade, width=max(1, w // 300))


@SETTINGS.register("rooftop")
def _rooftop(s: Stage) -> None:
    loc, draw, w, h, hz = s.loc, s.draw, s.w, s.h, s.hz
    rail = (*mix(rgb(loc.top), (200, 200, 210), 0.5), 200)
    draw.line((0, hz - h * 0.05, w, hz - h * 0.05), fill=rail, width=max(2, w // 150))
    for i in range(13):
        x = w * i / 12
        draw.line((x, hz - h * 0.05, x, hz), fill=rail, width=max(1, w // 300))


# --- features --------------------------------------------------------------------------------


@FEATURES.register("windows")
def _windows(s: Stage) -> None:
    draw, w, h, hz, wall_light = s.draw, s.w, s.h, s.hz, s.wall_light
    cols = 3
    for i in range(cols):
        x0 = int(w * (0.1 + i * 0.3))
        x1 = x0 + int(w * 0.22)
        draw.rectangle((x0, int(h * 0.12), x1, hz - int(h * 0.06)), fill=(*wall_light, 90))
        draw.line(
            (x0 + (x1 - x0) // 2, int(h * 0.12), x0 + (x1 - x0) // 2, hz - int(h * 0.06)),
            fill=(0, 0, 0, 120),
            width=max(2, w // 180),
        )


@FEATURES.register("skyline")
def _skyline(s: Stage) -> None:
    loc, rng, draw, w, h, hz = s.loc, s.rng, s.draw, s.w, s.h, s.hz
    x = 0
    while x < w:
        bw = rng.randint(w // 14, w // 6)
        bh = rng.randint(h // 12, h // 3)
        draw.rectangle((x, hz - bh, x + bw, hz), fill=(*mix(rgb(loc.top), (0, 0, 0), 0.5), 230))
        for _ in range(bh * bw // (w * 8)):
            wx = rng.randint(x + 4, x + bw - 8)
            wy = rng.randint(hz - bh + 6, hz - 8)
            draw.rectangle(
                (wx, wy, wx + w // 140 + 2, wy + h // 200 + 3), fill=(255, 214, 140, 200)
            )
        x += bw + rng.randint(2, w // 40)


@FEATURES.register("chandelier")
def _chandelier(s: Stage) -> None:
    img, draw, w, h = s.img, s.draw, s.w, s.h
    cx = w // 2
    draw.line((cx, 0, cx, int(h * 0.08)), fill=(200, 170, 90, 255), width=max(2, w // 240))
    glow(
        img,
        [("ellipse", (cx - w // 5, int(h * 0.06), cx + w // 5, int(h * 0.16)), (140, 110, 50))],
        w / 30,
    )
    for i in range(9):
        t = i / 8
        x = int(cx - w * 0.16 + t * w * 0.32)
        y = int(h * 0.11 + 0.03 * h * abs(t - 0.5) * 2)
        draw.ellipse(
            (x - w // 90, y - w // 90, x + w // 90, y + w // 90), fill=(255, 236, 170, 255)
        )


@FEATURES.register("columns")
def _columns(s: Stage) -> None:
    draw, w, h, hz, wall_light = s.draw, s.w, s.h, s.hz, s.wall_light
    for x0 in (int(w * 0.02), int(w * 0.84)):
        draw.rectangle(
            (x0, int(h * 0.05), x0 + int(w * 0.14), hz + h // 40),
            fill=(*mix(wall_light, (255, 255, 255), 0.2), 235),
        )
        draw.rectangle(
            (x0 - w // 80, int(h * 0.05), x0 + int(w * 0.14) + w // 80, int(h * 0.08)),
            fill=(*wall_light, 255),
        )


@FEATURES.register("curtains")
def _curtains(s: Stage) -> None:
    loc, draw, w, hz = s.loc, s.draw, s.w, s.hz
    color = mix(rgb(loc.top), (150, 20, 40), 0.6)
    for side in (0, 1):
        x0 = 0 if side == 0 else int(w * 0.8)
        draw.polygon(
            [
                (x0, 0),
                (x0 + int(w * 0.2), 0),
                (x0 + (int(w * 0.06) if side == 0 else int(w * 0.14)), hz),
            ],
            fill=(*color, 240),
        )


@FEATURES.register("lanterns")
def _lanterns(s: Stage) -> None:
    img, draw, w, h = s.img, s.draw, s.w, s.h
    shapes = []
    for i in range(4):
        x = int(w * (0.14 + i * 0.24))
        y = int(h * (0.12 + 0.04 * (i % 2)))
        draw.line((x, 0, x, y), fill=(60, 20, 10, 255), width=2)
        box = (x - w // 22, y, x + w // 22, y + h // 22)
        draw.ellipse(box, fill=(220, 40, 30, 255))
        shapes.append(("ellipse", box, (160, 60, 20)))
    glow(img, shapes, w / 25)


@FEATURES.register("trees")
def _trees(s: Stage) -> None:
    loc, rng, draw, w, h, hz = s.loc, s.rng, s.draw, s.w, s.h, s.hz
    for _ in range(7):
        x = rng.randint(0, w)
        th = rng.randint(h // 6, h // 3)
        draw.polygon(
            [(x, hz - th), (x - th // 3, hz), (x + th // 3, hz)],
            fill=(*mix(rgb(loc.floor), (0, 30, 10), 0.5), 235),
        )


@FEATURES.register("moon")
def _moon(s: Stage) -> None:
    img, draw, w, h = s.img, s.draw, s.w, s.h
    box = (int(w * 0.62), int(h * 0.07), int(w * 0.86), int(h * 0.07) + int(w * 0.24))
    glow(img, [("ellipse", box, (90, 90, 110))], w / 16)
    draw.ellipse(box, fill=(245, 240, 220, 255))


@FEATURES.register("stars")
def _stars(s: Stage) -> None:
    rng, draw, w, hz = s.rng, s.draw, s.w, s.hz
    for _ in range(90):
        x, y = rng.randint(0, w), rng.randint(0, int(hz * 0.7))
        r = rng.choice((1, 1, 2, 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 240, rng.randint(120, 255)))


@FEATURES.register("mountains")
def _mountains(s: Stage) -> None:
    loc, rng, draw, w, h, hz = s.loc, s.rng, s.draw, s.w, s.h, s.hz
    pts = [(0, hz)] + [(int(w * i / 6), hz - rng.randint(h // 14, h // 5)) for i in range(7)]
    draw.polygon([*pts, (w, hz)], fill=(*mix(rgb(loc.top), (0, 0, 0), 0.35), 255))


@FEATURES.register("neon")
def _neon(s: Stage) -> None:
    img, rng, draw, w, h = s.img, s.rng, s.draw, s.w, s.h
    shapes = []
    for color in ((255, 40, 160), (40, 220, 255)):
        x = rng.randint(w // 10, w - w // 3)
        y = rng.randint(int(h * 0.15), int(h * 0.4))
        box = (x, y, x + w // 4, y + h // 40)
        draw.rectangle(box, fill=(*color, 255))
        shapes.append(("rect", box, color))
    glow(img, shapes, w / 30)


@FEATURES.register("rain")
def _rain(s: Stage) -> None:
    rng, draw, w, h = s.rng, s.draw, s.w, s.h
    for _ in range(260):
        x, y = rng.randint(-w // 4, w), rng.randint(0, h)
        draw.line((x, y, x + w // 60, y + h // 40), fill=(190, 210, 255, 70), width=1)


@FEATURES.register("desk")
def _desk(s: Stage) -> None:
    loc, draw, w, h, hz = s.loc, s.draw, s.w, s.h, s.hz
    top = hz + int(h * 0.08)
    draw.polygon(
        [(int(w * 0.1), top), (int(w * 0.9), top), (w, top + h // 14), (0, top + h // 14)],
        fill=(*mix(rgb(loc.floor), (60, 40, 25), 0.6), 255),
    )


@FEATURES.register("door")
def _door(s: Stage) -> None:
    loc, draw, w, h, hz, wall_light = s.loc, s.draw, s.w, s.h, s.hz, s.wall_light
    draw.rectangle(
        (int(w * 0.38), int(h * 0.22), int(w * 0.62), hz),
        fill=(*mix(rgb(loc.bottom), (0, 0, 0), 0.45), 255),
        outline=(*wall_light, 255),
        width=max(3, w // 120),
    )


@FEATURES.register("throne")
def _throne(s: Stage) -> None:
    draw, w, h, hz = s.draw, s.w, s.h, s.hz
    draw.rectangle((int(w * 0.4), int(h * 0.25), int(w * 0.6), hz), fill=(170, 130, 40, 255))
    draw.rectangle(
        (int(w * 0.43), int(h * 0.3), int(w * 0.57), hz - h // 20), fill=(140, 20, 30, 255)
    )


@FEATURES.register("bookshelf")
def _bookshelf(s: Stage) -> None:
    rng, draw, w, h = s.rng, s.draw, s.w, s.h
    x0, x1 = int(w * 0.05), int(w * 0.35)
    for row in range(5):
        y = int(h * 0.15) + row * h // 11
        x = x0
        while x < x1:
            bw = rng.randint(w // 90, w // 45)
            draw.rectangle(
                (x, y, x + bw, y + h // 13),
                fill=(
                    *mix(
                        (120, 60, 40),
                        (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
                        0.4,
                    ),
                    255,
                ),
            )
            x += bw + 1
