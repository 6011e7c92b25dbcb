"""The embedded painter: storyboard keyframes drawn with PIL, no model weights.

A character is drawn from its template look every time, so it looks the same in every shot
and every episode; a location's backdrop is seeded by its id, so it never changes between shots.
Shot types frame the same scene differently: wide (full figures), medium (waist up), close-up,
a two-shot (two characters, closer), over-the-shoulder (the focus character seen past the
other's shoulder) and an insert (the prop a trope names, filling the frame).
"""

from __future__ import annotations

import hashlib
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from microdrama.words.story import Shot
from microdrama.words.template import Character, GenreTemplate, Location, Prop

SUPERSAMPLE = 2
GRADES = {  # multiply, add (per channel, 0-255 scale)
    "warm": ((1.06, 0.98, 0.88), (12, 4, -6)),
    "cool": ((0.90, 0.98, 1.08), (-6, 2, 14)),
    "noir": ((0.85, 0.85, 0.85), (-4, -4, -4)),
    "neutral": ((1.0, 1.0, 1.0), (0, 0, 0)),
}


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore


def _box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """A box with its corners in PIL's order, whichever side of the body it was measured from."""
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _seed(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int

    @property
    def horizon(self) -> int:
        return int(self.height * 0.62)


# --- backdrops -------------------------------------------------------------------------------


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    column = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    return Image.fromarray(np.repeat(column, w, axis=1).astype(np.uint8))  # (h, w, 3): RGB


def _glow(base: Image.Image, shapes: list[tuple[str, tuple, tuple]], radius: float) -> None:
    """Add blurred light: shapes are (kind, box, color) drawn on a layer, blurred, then added."""
    layer = Image.new("RGB", base.size)
    draw = ImageDraw.Draw(layer)
    for kind, box, color in shapes:
        (draw.ellipse if kind == "ellipse" else draw.rectangle)(box, fill=color)
    layer = layer.filter(ImageFilter.GaussianBlur(radius))
    base.paste(
        Image.fromarray(
            np.minimum(np.asarray(base, np.uint16) + np.asarray(layer), 255).astype(np.uint8)
        )
    )


def _draw_feature(
    img: Image.Image, feature: str, loc: Location, rng: random.Random, c: Canvas
) -> None:
    draw = ImageDraw.Draw(img, "RGBA")
    w, h, hz = c.width, c.height, c.horizon
    wall_light = _mix(_rgb(loc.bottom), (255, 240, 210), 0.35)
    if feature == "windows":
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
    elif feature == "skyline":
        x = 0
        while x < w:
            bw = rng.randint(w // 14, w // 6)
            bh = rng.randint(h // 12, h // 3)
            draw.rectangle(
                (x, hz - bh, x + bw, hz), fill=(*_mix(_rgb(loc.top), (0, 0, 0), 0.5), 230)
            )
            for _ in range(bh * bw // (w * 8)):
                wx = rng.randint(x + 4, x + bw - 8)
                wy = rng.randint(hz - bh + 6, hz - 8)
                draw.rectangle(
                    (wx, wy, wx + w // 140 + 2, wy + h // 200 + 3), fill=(255, 214, 140, 200)
                )
            x += bw + rng.randint(2, w // 40)
    elif feature == "chandelier":
        cx = w // 2
        draw.line((cx, 0, cx, int(h * 0.08)), fill=(200, 170, 90, 255), width=max(2, w // 240))
        _glow(
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
    elif feature == "columns":
        for x0 in (int(w * 0.02), int(w * 0.84)):
            draw.rectangle(
                (x0, int(h * 0.05), x0 + int(w * 0.14), hz + h // 40),
                fill=(*_mix(wall_light, (255, 255, 255), 0.2), 235),
            )
            draw.rectangle(
                (x0 - w // 80, int(h * 0.05), x0 + int(w * 0.14) + w // 80, int(h * 0.08)),
                fill=(*wall_light, 255),
            )
    elif feature == "curtains":
        color = _mix(_rgb(loc.top), (150, 20, 40), 0.6)
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
    elif feature == "lanterns":
        shapes = []
        for i in range(4):
            x = int(w * (0.14 + i * 0.24))
            y = int(h * (0.12 + 0.04 * (i % 2)))
            draw.line((x, 0, x, y), fill=(60, 20, 10, 255), width=2)
            box = (x - w // 22, y, x + w // 22, y + h // 22)
            draw.ellipse(box, fill=(220, 40, 30, 255))
            shapes.append(("ellipse", box, (160, 60, 20)))
        _glow(img, shapes, w / 25)
    elif feature == "trees":
        for _ in range(7):
            x = rng.randint(0, w)
            th = rng.randint(h // 6, h // 3)
            draw.polygon(
                [(x, hz - th), (x - th // 3, hz), (x + th // 3, hz)],
                fill=(*_mix(_rgb(loc.floor), (0, 30, 10), 0.5), 235),
            )
    elif feature == "moon":
        box = (int(w * 0.62), int(h * 0.07), int(w * 0.86), int(h * 0.07) + int(w * 0.24))
        _glow(img, [("ellipse", box, (90, 90, 110))], w / 16)
        draw.ellipse(box, fill=(245, 240, 220, 255))
    elif feature == "stars":
        for _ in range(90):
            x, y = rng.randint(0, w), rng.randint(0, int(hz * 0.7))
            r = rng.choice((1, 1, 2, 3))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 240, rng.randint(120, 255)))
    elif feature == "mountains":
        pts = [(0, hz)] + [(int(w * i / 6), hz - rng.randint(h // 14, h // 5)) for i in range(7)]
        draw.polygon([*pts, (w, hz)], fill=(*_mix(_rgb(loc.top), (0, 0, 0), 0.35), 255))
    elif feature == "neon":
        shapes = []
        for color in ((255, 40, 160), (40, 220, 255)):
            x = rng.randint(w // 10, w - w // 3)
            y = rng.randint(int(h * 0.15), int(h * 0.4))
            box = (x, y, x + w // 4, y + h // 40)
            draw.rectangle(box, fill=(*color, 255))
            shapes.append(("rect", box, color))
        _glow(img, shapes, w / 30)
    elif feature == "rain":
        for _ in range(260):
            x, y = rng.randint(-w // 4, w), rng.randint(0, h)
            draw.line((x, y, x + w // 60, y + h // 40), fill=(190, 210, 255, 70), width=1)
    elif feature == "desk":
        top = hz + int(h * 0.08)
        draw.polygon(
            [(int(w * 0.1), top), (int(w * 0.9), top), (w, top + h // 14), (0, top + h // 14)],
            fill=(*_mix(_rgb(loc.floor), (60, 40, 25), 0.6), 255),
        )
    elif feature == "door":
        draw.rectangle(
            (int(w * 0.38), int(h * 0.22), int(w * 0.62), hz),
            fill=(*_mix(_rgb(loc.bottom), (0, 0, 0), 0.45), 255),
            outline=(*wall_light, 255),
            width=max(3, w // 120),
        )
    elif feature == "throne":
        draw.rectangle((int(w * 0.4), int(h * 0.25), int(w * 0.6), hz), fill=(170, 130, 40, 255))
        draw.rectangle(
            (int(w * 0.43), int(h * 0.3), int(w * 0.57), hz - h // 20), fill=(140, 20, 30, 255)
        )
    elif feature == "bookshelf":
        x0, x1 = int(w * 0.05), int(w * 0.35)
        for row in range(5):
            y = int(h * 0.15) + row * h // 11
            x = x0
            while x < x1:
                bw = rng.randint(w // 90, w // 45)
                draw.rectangle(
                    (x, y, x + bw, y + h // 13),
                    fill=(
                        *_mix(
                            (120, 60, 40),
                            (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
                            0.4,
                        ),
                        255,
                    ),
                )
                x += bw + 1


@lru_cache(maxsize=32)
def backdrop(loc: Location, width: int, height: int) -> Image.Image:
    """The location's full backdrop; identical for every shot that uses it."""
    c = Canvas(width, height)
    rng = random.Random(_seed("backdrop", loc.id, loc.name))
    img = _gradient((width, c.horizon), _rgb(loc.top), _rgb(loc.bottom))
    floor = _gradient(
        (width, height - c.horizon), _rgb(loc.floor), _mix(_rgb(loc.floor), (0, 0, 0), 0.45)
    )
    full = Image.new("RGB", (width, height))
    full.paste(img, (0, 0))
    full.paste(floor, (0, c.horizon))
    draw = ImageDraw.Draw(full, "RGBA")
    for i in range(-6, 7):  # perspective lines on the floor
        draw.line(
            (width // 2 + i * width // 14, c.horizon, width // 2 + i * width // 2, height),
            fill=(255, 255, 255, 18),
            width=max(1, width // 360),
        )
    for feature in loc.features:
        _draw_feature(full, feature, loc, rng, c)
    return full


# --- characters ------------------------------------------------------------------------------

BROWS = {  # inner/outer brow tilt, mouth shape
    "angry": (0.12, "flat"),
    "contempt": (0.06, "smirk"),
    "smug": (0.0, "smirk"),
    "sad": (-0.1, "frown"),
    "afraid": (-0.12, "open"),
    "shocked": (-0.14, "open"),
    "tender": (-0.04, "smile"),
    "joyful": (-0.02, "smile"),
    "cold": (0.04, "flat"),
    "determined": (0.08, "flat"),
    "neutral": (0.0, "flat"),
}


def draw_character(
    img: Image.Image,
    who: Character,
    cx: float,
    head_y: float,
    head: float,
    emotion: str,
    full_body: bool,
) -> None:
    """Draw a figure whose head (height `head`) is centered at (cx, head_y)."""
    d = ImageDraw.Draw(img, "RGBA")
    look = who.look
    skin, hair, outfit, accent = (
        _rgb(look.skin),
        _rgb(look.hair),
        _rgb(look.outfit),
        _rgb(look.accent),
    )
    hw = head * 0.4  # half head width
    top = head_y - head / 2
    shade = _mix(outfit, (0, 0, 0), 0.3)
    # hair behind the head
    if look.hair_style == "long":
        d.rounded_rectangle(
            (cx - hw * 1.25, top - head * 0.05, cx + hw * 1.25, head_y + head * 1.35),
            radius=hw,
            fill=hair,
        )
    elif look.hair_style == "bob":
        d.rounded_rectangle(
            (cx - hw * 1.2, top - head * 0.06, cx + hw * 1.2, head_y + head * 0.55),
            radius=hw * 0.8,
            fill=hair,
        )
    elif look.hair_style == "ponytail":
        d.ellipse(
            (cx + hw * 0.6, head_y - head * 0.2, cx + hw * 1.5, head_y + head * 0.9), fill=hair
        )
    # body: torso, shoulders, arms
    shoulder_y = head_y + head * 0.75
    body_h = head * (3.1 if full_body else 4.5)
    d.rectangle(
        (cx - hw * 0.35, head_y + head * 0.35, cx + hw * 0.35, shoulder_y + head * 0.1),
        fill=_mix(skin, (0, 0, 0), 0.12),
    )
    torso = [
        (cx - hw * 2.3, shoulder_y + head * 0.25),
        (cx - hw * 1.6, shoulder_y),
        (cx + hw * 1.6, shoulder_y),
        (cx + hw * 2.3, shoulder_y + head * 0.25),
        (cx + hw * 1.8, shoulder_y + body_h),
        (cx - hw * 1.8, shoulder_y + body_h),
    ]
    d.polygon(torso, fill=outfit)
    for side in (-1, 1):
        x = cx + side * hw * 2.15
        d.rounded_rectangle(
            _box(x, shoulder_y + head * 0.2, x + side * hw * 0.7, shoulder_y + body_h * 0.85),
            radius=hw * 0.3,
            fill=shade,
        )
        if full_body:
            hx = x + side * hw * 0.35
            d.ellipse(
                (
                    hx - hw * 0.32,
                    shoulder_y + body_h * 0.8,
                    hx + hw * 0.32,
                    shoulder_y + body_h * 0.8 + hw * 0.6,
                ),
                fill=skin,
            )
    # collar / tie / necklace in the accent color
    d.polygon(
        [
            (cx - hw * 0.55, shoulder_y),
            (cx, shoulder_y + head * 0.55),
            (cx + hw * 0.55, shoulder_y),
        ],
        fill=_mix(skin, (0, 0, 0), 0.05),
    )
    d.polygon(
        [
            (cx - hw * 0.12, shoulder_y + head * 0.45),
            (cx + hw * 0.12, shoulder_y + head * 0.45),
            (cx + hw * 0.2, shoulder_y + head * 1.6),
            (cx - hw * 0.2, shoulder_y + head * 1.6),
        ],
        fill=accent,
    )
    if full_body:
        leg_top = shoulder_y + body_h
        for side in (-1, 1):
            d.rectangle(
                _box(cx + side * hw * 0.15, leg_top, cx + side * hw * 1.3, leg_top + head * 3.2),
                fill=_mix(outfit, (0, 0, 0), 0.5),
            )
            d.ellipse(
                _box(
                    cx + side * hw * 0.1,
                    leg_top + head * 3.05,
                    cx + side * hw * 1.6,
                    leg_top + head * 3.4,
                ),
                fill=(20, 18, 22),
            )
    # head and face
    d.ellipse((cx - hw, top, cx + hw, top + head), fill=skin)
    d.ellipse(
        (cx - hw * 1.08, head_y - head * 0.05, cx - hw * 0.85, head_y + head * 0.18), fill=skin
    )
    d.ellipse(
        (cx + hw * 0.85, head_y - head * 0.05, cx + hw * 1.08, head_y + head * 0.18), fill=skin
    )
    tilt, mouth = BROWS.get(emotion, BROWS["neutral"])
    eye_y = head_y + head * 0.02
    eye_w = hw * 0.24
    wide = emotion in ("shocked", "afraid")
    for side in (-1, 1):
        ex = cx + side * hw * 0.42
        d.ellipse(
            (
                ex - eye_w,
                eye_y - eye_w * (0.75 if wide else 0.55),
                ex + eye_w,
                eye_y + eye_w * (0.75 if wide else 0.55),
            ),
            fill=(250, 250, 250),
        )
        pr = eye_w * (0.42 if wide else 0.55)
        d.ellipse((ex - pr, eye_y - pr, ex + pr, eye_y + pr), fill=(35, 25, 20))
        by = eye_y - head * 0.13
        inner, outer = ex - side * eye_w * 1.1, ex + side * eye_w * 1.2
        d.line(
            (inner, by + tilt * head, outer, by - tilt * head * 0.4),
            fill=_mix(hair, (0, 0, 0), 0.3),
            width=max(2, int(head * 0.035)),
        )
    if emotion == "sad":
        d.ellipse(
            (cx + hw * 0.35, eye_y + eye_w, cx + hw * 0.5, eye_y + eye_w * 2.2),
            fill=(170, 210, 255, 220),
        )
    if emotion == "tender":
        for side in (-1, 1):
            bx = cx + side * hw * 0.55
            d.ellipse(
                (bx - eye_w, eye_y + eye_w * 1.4, bx + eye_w, eye_y + eye_w * 2.2),
                fill=(235, 120, 120, 90),
            )
    d.line(
        (cx, eye_y + head * 0.06, cx - hw * 0.08, eye_y + head * 0.16),
        fill=_mix(skin, (0, 0, 0), 0.3),
        width=max(1, int(head * 0.02)),
    )
    my, mw = head_y + head * 0.3, hw * 0.32
    lip = _mix(skin, (150, 30, 40), 0.55)
    lw = max(2, int(head * 0.03))
    if mouth == "open":
        d.ellipse((cx - mw * 0.5, my - mw * 0.4, cx + mw * 0.5, my + mw * 0.6), fill=(70, 20, 25))
    elif mouth == "smile":
        d.arc((cx - mw, my - mw * 0.8, cx + mw, my + mw * 0.6), 20, 160, fill=lip, width=lw)
    elif mouth == "frown":
        d.arc((cx - mw, my, cx + mw, my + mw * 1.2), 200, 340, fill=lip, width=lw)
    elif mouth == "smirk":
        d.line((cx - mw, my + mw * 0.1, cx + mw * 0.4, my + mw * 0.1), fill=lip, width=lw)
        d.line((cx + mw * 0.4, my + mw * 0.1, cx + mw, my - mw * 0.25), fill=lip, width=lw)
    else:
        d.line((cx - mw, my, cx + mw, my), fill=lip, width=lw)
    # hair on top of the head
    cap = (cx - hw * 1.05, top - head * 0.08, cx + hw * 1.05, top + head * 0.5)
    if look.hair_style in ("short", "slick", "ponytail", "bun"):
        d.chord(cap, 180, 360, fill=hair)
        d.rectangle((cx - hw * 1.05, top + head * 0.15, cx - hw * 0.85, head_y), fill=hair)
        d.rectangle((cx + hw * 0.85, top + head * 0.15, cx + hw * 1.05, head_y), fill=hair)
        if look.hair_style == "slick":
            d.line(
                (cx - hw * 0.3, top - head * 0.05, cx - hw * 0.2, top + head * 0.2),
                fill=_mix(hair, (255, 255, 255), 0.25),
                width=max(2, int(head * 0.02)),
            )
        if look.hair_style == "bun":
            d.ellipse(
                (cx - hw * 0.45, top - head * 0.38, cx + hw * 0.45, top + head * 0.08), fill=hair
            )
            d.line(
                (cx - hw * 0.6, top - head * 0.2, cx + hw * 0.6, top - head * 0.3),
                fill=accent,
                width=max(2, int(head * 0.03)),
            )
    else:  # long, bob: a fringe
        d.chord((cap[0], cap[1], cap[2], top + head * 0.62), 180, 360, fill=hair)
        d.polygon(
            [
                (cx - hw * 1.05, top + head * 0.3),
                (cx - hw * 0.2, top + head * 0.25),
                (cx - hw * 0.9, head_y + head * 0.1),
            ],
            fill=hair,
        )


# --- shots -----------------------------------------------------------------------------------


def _framing(shot_type: str, n: int, c: Canvas) -> tuple[float, float, list[float], bool, float]:
    """(backdrop zoom, head size, x positions, full body, head center y) for a shot type."""
    w, h = c.width, c.height
    spread = {1: [0.5], 2: [0.3, 0.7], 3: [0.2, 0.5, 0.8]}[n]
    if shot_type == "wide":
        return 1.0, h * 0.062, [w * x for x in spread], True, c.horizon - h * 0.23
    if shot_type == "medium":
        return 1.35, h * 0.115, [w * x for x in spread], False, h * 0.42
    if shot_type == "two-shot":
        return 1.6, h * 0.16, [w * x for x in spread], False, h * 0.42
    if shot_type == "over-shoulder":  # the focus character, right of frame
        return 1.9, h * 0.2, [w * 0.62], False, h * 0.38
    return 1.9, h * 0.25, [w * 0.5], False, h * 0.4


def _grade(img: Image.Image, grade: str) -> Image.Image:
    mul, add = GRADES[grade]
    arr = np.asarray(img, np.float32) * np.array(mul, np.float32) + np.array(add, np.float32)
    h, w = arr.shape[:2]
    yy, xx = np.ogrid[:h, :w]
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    arr *= np.clip(1.15 - 0.35 * r, 0.55, 1.0)[..., None]  # vignette
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


@lru_cache(maxsize=64)
def shot_backdrop(loc: Location, shot_type: str, width: int, height: int) -> Image.Image:
    """The backdrop as framed by a shot type: zoomed in and softly out of focus when closer."""
    c = Canvas(width, height)
    zoom = _framing(shot_type, 1, c)[0]
    base = backdrop(loc, width, height)
    if zoom == 1:
        return base
    cw, ch = width / zoom, height / zoom
    x0 = (width - cw) / 2
    y0 = min(c.horizon - ch * 0.55, height - ch)
    base = base.resize((width, height), Image.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))
    return base.filter(ImageFilter.GaussianBlur(3 * zoom * SUPERSAMPLE))


def paint_shot(
    template: GenreTemplate, shot: Shot, width: int = 720, height: int = 1280
) -> Image.Image:
    """One 9:16 keyframe for `shot`; a close-up shows only its focus (first) character."""
    c = Canvas(width * SUPERSAMPLE, height * SUPERSAMPLE)
    img = shot_backdrop(template.location(shot.location), shot.type, c.width, c.height).copy()
    if shot.type == "insert":
        draw_prop(img, template.prop(shot.prop or ""), c)
        return _grade(img.resize((width, height), Image.LANCZOS), template.style.grade)
    cast = shot.cast[:1] if shot.type in ("close-up", "over-shoulder") else shot.cast
    _, head, xs, full_body, head_y = _framing(shot.type, len(cast), c)
    emotions = {line.speaker: line.emotion for line in shot.lines}
    for i in sorted(range(len(cast)), reverse=True):  # the focus character is drawn last
        who = template.character(cast[i])
        draw_character(
            img,
            who,
            xs[i],
            head_y,
            head * (1.0 if i == 0 else 0.92),
            emotions.get(who.id, "neutral"),
            full_body,
        )
    if shot.type == "over-shoulder" and len(shot.cast) > 1:
        draw_shoulder(img, template.character(shot.cast[1]), c)
    img = img.resize((width, height), Image.LANCZOS)
    return _grade(img, template.style.grade)


def draw_shoulder(img: Image.Image, who: Character, c: Canvas) -> None:
    """The back of a character's head and shoulder, large and dim in the left foreground."""
    d = ImageDraw.Draw(img, "RGBA")
    w, h = c.width, c.height
    outfit = _mix(_rgb(who.look.outfit), (0, 0, 0), 0.45)
    hair = _mix(_rgb(who.look.hair), (0, 0, 0), 0.35)
    d.ellipse((-w * 0.25, h * 0.7, w * 0.55, h * 1.25), fill=outfit)
    d.ellipse((w * 0.0, h * 0.46, w * 0.34, h * 0.8), fill=hair)


def draw_prop(img: Image.Image, prop: Prop, c: Canvas) -> None:
    """The prop, big and centered, with a soft shadow: what an insert shot is about."""
    d = ImageDraw.Draw(img, "RGBA")
    w, h = c.width, c.height
    x, y, r = w * 0.5, h * 0.52, w * 0.22
    color = _rgb(prop.color)
    edge = _mix(color, (0, 0, 0), 0.45)
    light = _mix(color, (255, 255, 255), 0.5)
    line = max(2, int(r * 0.06))
    d.ellipse((x - r * 1.3, y + r * 0.85, x + r * 1.3, y + r * 1.25), fill=(0, 0, 0, 90))
    kind = prop.drawing
    if kind == "ring":
        d.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.9), outline=color, width=int(r * 0.18))
        d.polygon(
            [
                (x, y - r * 1.05),
                (x - r * 0.3, y - r * 0.7),
                (x, y - r * 0.45),
                (x + r * 0.3, y - r * 0.7),
            ],
            fill=light,
            outline=edge,
        )
    elif kind in ("document", "photo"):
        d.rectangle((x - r, y - r * 1.3, x + r, y + r), fill=color, outline=edge, width=line)
        if kind == "photo":
            d.rectangle((x - r * 0.8, y - r * 1.1, x + r * 0.8, y + r * 0.5), fill=edge)
            for dx in (-0.35, 0.35):
                d.ellipse(
                    (x + r * (dx - 0.18), y - r * 0.7, x + r * (dx + 0.18), y - r * 0.3), fill=light
                )
        else:
            for n in range(6):
                ly = y - r * 1.0 + n * r * 0.28
                d.line(
                    (x - r * 0.75, ly, x + r * (0.75 - 0.3 * (n % 2)), ly), fill=edge, width=line
                )
            d.line(
                (x + r * 0.1, y + r * 0.75, x + r * 0.7, y + r * 0.6), fill=(20, 30, 90), width=line
            )
    elif kind == "phone":
        d.rounded_rectangle(
            (x - r * 0.55, y - r * 1.1, x + r * 0.55, y + r),
            radius=r * 0.15,
            fill=color,
            outline=light,
            width=line,
        )
        d.rectangle((x - r * 0.45, y - r * 0.95, x + r * 0.45, y + r * 0.8), fill=(200, 220, 255))
    elif kind == "cup":
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
    elif kind == "bottle":
        d.rectangle((x - r * 0.5, y - r * 0.5, x + r * 0.5, y + r), fill=color, outline=edge)
        d.rectangle((x - r * 0.2, y - r * 1.0, x + r * 0.2, y - r * 0.5), fill=color, outline=edge)
        d.rectangle((x - r * 0.25, y - r * 1.2, x + r * 0.25, y - r * 1.0), fill=edge)
        d.rectangle((x - r * 0.4, y - r * 0.1, x + r * 0.4, y + r * 0.4), fill=light)
    elif kind == "necklace":
        d.arc((x - r, y - r * 1.2, x + r, y + r * 0.6), 20, 160, fill=light, width=line * 2)
        d.ellipse((x - r * 0.28, y + r * 0.45, x + r * 0.28, y + r * 1.0), fill=color, outline=edge)
    elif kind == "key":
        d.rounded_rectangle(
            (x - r, y - r * 0.6, x + r, y + r * 0.6),
            radius=r * 0.12,
            fill=color,
            outline=light,
            width=line,
        )
        d.rectangle((x - r * 0.75, y - r * 0.3, x - r * 0.35, y), fill=light)
    elif kind == "blade":
        d.polygon(
            [(x - r * 0.12, y + r * 0.3), (x + r * 0.12, y + r * 0.3), (x, y - r * 1.4)],
            fill=color,
            outline=light,
        )
        d.rectangle((x - r * 0.4, y + r * 0.3, x + r * 0.4, y + r * 0.42), fill=edge)
        d.rectangle((x - r * 0.08, y + r * 0.42, x + r * 0.08, y + r * 0.95), fill=edge)
    else:  # box
        d.rectangle((x - r * 0.8, y - r * 0.6, x + r * 0.8, y + r), fill=color, outline=edge)
        d.rectangle((x - r * 0.12, y - r * 0.6, x + r * 0.12, y + r), fill=light)
        d.rectangle((x - r * 0.8, y + r * 0.1, x + r * 0.8, y + r * 0.3), fill=light)
        d.ellipse((x - r * 0.4, y - r * 0.9, x, y - r * 0.55), outline=light, width=line)
        d.ellipse((x, y - r * 0.9, x + r * 0.4, y - r * 0.55), outline=light, width=line)


PaintJob = tuple[GenreTemplate, Shot]


class Painter(Protocol):
    neural: bool

    def paint(
        self, jobs: list[PaintJob], width: int, height: int
    ) -> tuple[list[Image.Image], list[bool]]:
        """A keyframe per job at the video size, and whether each fell back to the storyboard."""
        ...


class StoryboardPainter:
    """The embedded painter, behind the same interface as the diffusers one."""

    neural = False
    workers = 2  # Pillow's blur, resampling and drawing release the GIL: two shots at once

    def paint(
        self, jobs: list[PaintJob], width: int, height: int
    ) -> tuple[list[Image.Image], list[bool]]:
        with ThreadPoolExecutor(self.workers) as pool:
            images = list(pool.map(lambda job: paint_shot(*job, width, height), jobs))
        return images, [False] * len(jobs)


def contact_sheet(
    images: list[Image.Image], columns: int = 6, thumb_width: int = 120
) -> Image.Image:
    """A grid of thumbnails, small enough to embed in asset metadata."""
    if not images:
        raise ValueError("no frames for a contact sheet")
    tw = thumb_width
    th = round(tw * images[0].height / images[0].width)
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * (tw + 4) + 4, rows * (th + 4) + 4), (16, 16, 20))
    for i, image in enumerate(images):
        sheet.paste(
            image.resize((tw, th), Image.BILINEAR),
            (4 + (i % columns) * (tw + 4), 4 + (i // columns) * (th + 4)),
        )
    return sheet
