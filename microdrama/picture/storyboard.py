"""The embedded painter: storyboard keyframes drawn with PIL, no model weights.

This module composes a shot; the drawings live in small registries beside it: backdrop
features and settings (features.py), props and the words that name them (props.py), outfits
by archetype (outfits.py), and characters in layers (characters.py). A name without a painter
raises MissingPainter, so nothing the schema or the trope library names is silently left out.

A character is drawn from its template look every time, so it looks the same in every shot
and every episode; a location's backdrop is seeded by its id, so it never changes between shots.
Shot types frame the same scene differently: wide (full figures), medium (waist up), close-up,
a two-shot (two characters, closer), over-the-shoulder (the focus character seen past the
other's shoulder) and an insert (the prop a trope names, filling the frame). A prop that a
shot's action names is held by the character the action names first (a veil is worn), or laid
in the foreground when no one in frame is named.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from microdrama.picture.brush import (
    Canvas,
    MissingPainter,
    Registry,
    gradient,
    matte,
    mix,
    rgb,
    seed,
)
from microdrama.picture.characters import Face, Held, draw_character, paint_character
from microdrama.picture.features import FEATURES, SETTINGS, Stage
from microdrama.picture.figure import Figure
from microdrama.picture.outfits import outfit_style
from microdrama.picture.props import drawing_for, paint_prop, props_named
from microdrama.words.story import Shot
from microdrama.words.template import Character, GenreTemplate, Location, Prop

__all__ = [
    "GRADES",
    "SHOT_FRAMINGS",
    "Actor",
    "MissingPainter",
    "PaintJob",
    "Painter",
    "ShotLayers",
    "StoryboardPainter",
    "backdrop",
    "contact_sheet",
    "downsample",
    "draw_character",
    "draw_prop",
    "graded",
    "held_props",
    "paint_layers",
    "paint_shot",
    "plan_shot",
    "shot_backdrop",
]

SUPERSAMPLE = 2
GRADES = {  # multiply, add (per channel, 0-255 scale)
    "warm": ((1.06, 0.98, 0.88), (12, 4, -6)),
    "cool": ((0.90, 0.98, 1.08), (-6, 2, 14)),
    "noir": ((0.85, 0.85, 0.85), (-4, -4, -4)),
    "neutral": ((1.0, 1.0, 1.0), (0, 0, 0)),
}


# --- backdrops -------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def backdrop(loc: Location, width: int, height: int) -> Image.Image:
    """The location's full backdrop; identical for every shot that uses it."""
    c = Canvas(width, height)
    rng = random.Random(seed("backdrop", loc.id, loc.name))
    img = gradient((width, c.horizon), rgb(loc.top), rgb(loc.bottom))
    floor = gradient(
        (width, height - c.horizon), rgb(loc.floor), mix(rgb(loc.floor), (0, 0, 0), 0.45)
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
    SETTINGS[loc.setting](Stage.of(full, loc, rng, c))
    for feature in loc.features:
        FEATURES[feature](Stage.of(full, loc, rng, c))
    return full


# --- framing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Framing:
    """How a shot type frames its cast, in fractions of the frame."""

    zoom: float  # into the backdrop
    head: float  # a head's height
    head_y: float  # where heads are centered
    full_body: bool
    x: float | None = None  # one figure placed here, or the cast spread across the frame


SHOT_FRAMINGS: Registry[Framing] = Registry("shot framing")
SHOT_FRAMINGS.add("wide", Framing(1.0, 0.062, 0.39, True))
SHOT_FRAMINGS.add("medium", Framing(1.35, 0.115, 0.42, False))
SHOT_FRAMINGS.add("two-shot", Framing(1.6, 0.16, 0.42, False))
SHOT_FRAMINGS.add("over-shoulder", Framing(1.9, 0.2, 0.38, False, x=0.62))  # focus at right
SHOT_FRAMINGS.add("close-up", Framing(1.9, 0.25, 0.4, False, x=0.5))
SHOT_FRAMINGS.add("insert", Framing(1.9, 0.25, 0.4, False, x=0.5))
SPREAD = {1: [0.5], 2: [0.3, 0.7], 3: [0.2, 0.5, 0.8]}


def _framing(shot_type: str, n: int, c: Canvas) -> tuple[float, float, list[float], bool, float]:
    """(backdrop zoom, head size, x positions, full body, head center y) for a shot type."""
    f = SHOT_FRAMINGS[shot_type]
    xs = [f.x] if f.x is not None else SPREAD[n]
    return f.zoom, c.height * f.head, [c.width * x for x in xs], f.full_body, c.height * f.head_y


def _grade(
    img: Image.Image,
    grade: str,
    at: tuple[int, int] = (0, 0),
    frame: tuple[int, int] | None = None,
) -> Image.Image:
    """The grade's color and its vignette; `img` may be a part of a `frame`-sized picture
    whose top-left corner is `at`, vignetted as that part of the whole."""
    mul, add = GRADES[grade]
    arr = np.asarray(img, np.float32) * np.array(mul, np.float32) + np.array(add, np.float32)
    h, w = arr.shape[:2]
    yy, xx = np.ogrid[at[1] : at[1] + h, at[0] : at[0] + w]
    if frame is not None:
        w, h = frame
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    arr *= np.clip(1.15 - 0.35 * r, 0.55, 1.0)[..., None]  # vignette
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def graded(
    img: Image.Image,
    grade: str,
    at: tuple[int, int] = (0, 0),
    frame: tuple[int, int] | None = None,
) -> Image.Image:
    """A layer graded where it stands (an RGBA one keeps its alpha; a part of a `frame`-sized
    layer has its top-left corner `at`): the grade is affine per channel, so grading each
    layer and stacking them gives the graded stack, and the vignette stays where the frame's
    would be, give or take a camera's drift."""
    if img.mode != "RGBA":
        return _grade(img.convert("RGB"), grade, at, frame)
    out = _grade(img.convert("RGB"), grade, at, frame).convert("RGBA")
    out.putalpha(img.getchannel("A"))
    return out


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


# --- who holds what --------------------------------------------------------------------------

OVER_SHOULDER = re.compile(r"^\s*(in [^,]*,\s*)?over [^,]*'s shoulder,\s*", re.IGNORECASE)


def _named_at(text: str, who: Character) -> int | None:
    """Where `text` first names `who`: its name, a word of it ("Mia" for Mia Su, as a writer
    model may shorten it), or its {slot} in an unfilled pattern; None where it does not."""
    words = [w for w in who.name.split() if len(w) > 2 and w[0].isupper() and w != "The"]
    hits = [
        m.start()
        for name in (who.name, *words)
        if (m := re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text))
    ]
    if (slot := text.find("{" + who.id + "}")) >= 0:
        hits.append(slot)
    return min(hits) if hits else None


def _template_prop(template: GenreTemplate, prop_id: str | None) -> Prop | None:
    return next((p for p in template.props if p.id == prop_id), None) if prop_id else None


def held_props(
    template: GenreTemplate, shot: Shot, shown: list[str]
) -> tuple[dict[str, Held], list[Held]]:
    """What the shot's characters hold, by character id, and what lies loose in the foreground.

    The prop is the template prop where the action or a line names it ({object}), else the
    first prop noun of the action. It goes to the first character in frame the action names
    (after an "over X's shoulder," lead-in), or to the speaker whose line names {object}; with
    no one to hold it, it lies in the foreground.
    """
    action = OVER_SHOULDER.sub("", shot.action)
    item = _template_prop(template, shot.prop)
    held: Held | None = None
    if item is not None and item.name.lower() in action.lower():
        held = Held(drawing_for(item), item.color)
    elif named := props_named(action):
        held = Held(named[0][1])
    elif item is not None:
        speakers = [ln.speaker for ln in shot.lines if "{object}" in ln.pattern]
        if speakers and speakers[0] in shown:
            return {speakers[0]: Held(drawing_for(item), item.color)}, []
    if held is None:
        return {}, []
    at = {cid: _named_at(action, template.character(cid)) for cid in shown}
    named_in_frame = sorted((pos, cid) for cid, pos in at.items() if pos is not None)
    if named_in_frame:
        return {named_in_frame[0][1]: held}, []
    return {}, [held]


# --- shots -----------------------------------------------------------------------------------


Pen = Callable[[ImageDraw.ImageDraw], None]


@dataclass(frozen=True)
class Plan:
    """What a shot shows, back to front: the framed backdrop, each character, the props that
    lie loose or fill an insert, and the foreground (an over-the-shoulder's near shoulder).
    Each is a pen, so the same plan paints one flat keyframe or one layer per depth."""

    canvas: Canvas
    backdrop: Image.Image
    characters: list[tuple[str, Pen]]
    props: list[Pen]
    foreground: list[Pen]


def plan_shot(template: GenreTemplate, shot: Shot, width: int, height: int) -> Plan:
    """The shot's layers at the supersampled size; a close-up shows only its focus character."""
    c = Canvas(width * SUPERSAMPLE, height * SUPERSAMPLE)
    back = shot_backdrop(template.location(shot.location), shot.type, c.width, c.height)
    if shot.type == "insert":
        item = template.prop(shot.prop or "")
        pens = [_insert_pen(item, c)]
        beside = [d for _, d in props_named(shot.action) if d != drawing_for(item)]
        if beside:  # "with a gold pen on top": the second thing the action names, smaller
            pens.append(_loose_pen(Held(beside[0]), c.width * 0.8, c.height * 0.72, c.width * 0.07))
        return Plan(c, back, [], pens, [])
    cast = shot.cast[:1] if shot.type in ("close-up", "over-shoulder") else shot.cast
    _, head, xs, full_body, head_y = _framing(shot.type, len(cast), c)
    emotions = {line.speaker: line.emotion for line in shot.lines}
    holding, loose = held_props(template, shot, list(cast))
    characters = []
    for i in sorted(range(len(cast)), reverse=True):  # the focus character is drawn last
        who = template.character(cast[i])
        figure = Figure(xs[i], head_y, head * (1.0 if i == 0 else 0.92), full_body)
        face = Face(emotions.get(who.id, "neutral"))
        style = outfit_style(who.archetype, who.id, template.genre)
        characters.append((who.id, _character_pen(who, figure, face, holding.get(who.id), style)))
    x0 = 0.75 if shot.type == "over-shoulder" else 0.5  # clear of the near shoulder
    props = [
        _loose_pen(item, c.width * (x0 + 0.2 * n), c.height * 0.86, c.width * 0.08)
        for n, item in enumerate(loose)  # on the table or the floor, nearest the camera
    ]
    foreground = []
    if shot.type == "over-shoulder" and len(shot.cast) > 1:
        foreground.append(_shoulder_pen(template.character(shot.cast[1]), c))
    return Plan(c, back, characters, props, foreground)


@dataclass(frozen=True)
class Actor:
    """A character as a shot places it: a pen (it paints the character), and what a motion
    comic needs to repaint its face from frame to frame (a mouth open, a blink)."""

    who: Character
    figure: Figure  # at the supersampled size
    face: Face
    held: Held | None
    style: str

    def __call__(self, d: ImageDraw.ImageDraw) -> None:
        paint_character(d, self.who, self.figure, self.face, self.held, self.style)


def _character_pen(
    who: Character, figure: Figure, face: Face, held: Held | None, style: str
) -> Pen:
    return Actor(who, figure, face, held, style)


def _loose_pen(item: Held, x: float, y: float, r: float) -> Pen:
    def pen(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((x - r * 1.2, y + r * 0.8, x + r * 1.2, y + r * 1.15), fill=(0, 0, 0, 80))
        paint_prop(d, item.drawing, x, y, r, item.color)

    return pen


def paint_shot(
    template: GenreTemplate, shot: Shot, width: int = 720, height: int = 1280
) -> Image.Image:
    """One 9:16 keyframe for `shot`, every layer drawn straight onto the backdrop."""
    plan = plan_shot(template, shot, width, height)
    img = plan.backdrop.copy()
    d = ImageDraw.Draw(img, "RGBA")
    for pen in [*(p for _, p in plan.characters), *plan.props, *plan.foreground]:
        pen(d)
    return _grade(img.resize((width, height), Image.LANCZOS), template.style.grade)


@dataclass(frozen=True)
class ShotLayers:
    """A keyframe as separate layers at the video size, for a compositor that moves them at
    their own depth (parallax, breathing) before grading: backdrop (RGB), then RGBA layers."""

    backdrop: Image.Image
    characters: list[tuple[str, Image.Image]]  # (character id, layer), back to front
    props: Image.Image
    foreground: Image.Image
    grade: str

    def flatten(self) -> Image.Image:
        """The layers where they stand, graded: what paint_shot paints, to within rounding."""
        img = self.backdrop.convert("RGBA")
        for layer in [*(lay for _, lay in self.characters), self.props, self.foreground]:
            img.alpha_composite(layer)
        return _grade(img.convert("RGB"), self.grade)


def paint_layers(
    template: GenreTemplate, shot: Shot, width: int = 720, height: int = 1280
) -> ShotLayers:
    """`shot` as layers (backdrop, each character, props, foreground), ungraded."""
    plan = plan_shot(template, shot, width, height)
    size = (plan.canvas.width, plan.canvas.height)

    def layer(pens: list[Pen]) -> Image.Image:
        return downsample(matte(size, pens), width, height)

    return ShotLayers(
        plan.backdrop.resize((width, height), Image.LANCZOS),
        [(cid, layer([pen])) for cid, pen in plan.characters],
        layer(plan.props),
        layer(plan.foreground),
        template.style.grade,
    )


def downsample(layer: Image.Image, width: int, height: int) -> Image.Image:
    """A supersampled RGBA layer at the video size, resampling only what is drawn on it (a
    margin wider than the Lanczos kernel keeps it the same as resizing the whole layer)."""
    out = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    box = layer.getbbox()
    if box is None:
        return out
    sx, sy = layer.width / width, layer.height / height
    margin = 4  # output pixels: Lanczos reaches 3 of them
    x0, y0 = max(0, int(box[0] / sx) - margin), max(0, int(box[1] / sy) - margin)
    x1 = min(width, int(-(-box[2] // sx)) + margin)
    y1 = min(height, int(-(-box[3] // sy)) + margin)
    part = layer.resize((x1 - x0, y1 - y0), Image.LANCZOS, box=(x0 * sx, y0 * sy, x1 * sx, y1 * sy))
    out.paste(part, (x0, y0))
    return out


def draw_shoulder(img: Image.Image, who: Character, c: Canvas) -> None:
    """The back of a character's head and shoulder, large and dim in the left foreground."""
    _shoulder_pen(who, c)(ImageDraw.Draw(img, "RGBA"))


def _shoulder_pen(who: Character, c: Canvas) -> Pen:
    w, h = c.width, c.height
    outfit = mix(rgb(who.look.outfit), (0, 0, 0), 0.45)
    hair = mix(rgb(who.look.hair), (0, 0, 0), 0.35)

    def pen(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((-w * 0.25, h * 0.7, w * 0.55, h * 1.25), fill=outfit)
        d.ellipse((w * 0.0, h * 0.46, w * 0.34, h * 0.8), fill=hair)

    return pen


def draw_prop(img: Image.Image, prop: Prop, c: Canvas) -> None:
    """The prop, big and centered, with a soft shadow: what an insert shot is about."""
    _insert_pen(prop, c)(ImageDraw.Draw(img, "RGBA"))


def _insert_pen(prop: Prop, c: Canvas) -> Pen:
    x, y, r = c.width * 0.5, c.height * 0.52, c.width * 0.22

    def pen(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((x - r * 1.3, y + r * 0.85, x + r * 1.3, y + r * 1.25), fill=(0, 0, 0, 90))
        paint_prop(d, drawing_for(prop), x, y, r, prop.color)

    return pen


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
