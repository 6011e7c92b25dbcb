"""A character drawn in layers: hair behind, body and outfit, head, face, hair in front, and what
it wears on its head or holds in its hand.

Each layer is a small function of the same `Figure`, so a layer can be drawn alone. A whole
character can also be painted onto its own transparent layer (`character_layer`), with its
mouth open by a fraction and its eyes open or shut: what a motion comic moves, talks and blinks
with. Hair styles, expressions and mouths are registries: a name from the schema without its
painter raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw

from microdrama.picture.brush import Registry, box, matte, mix
from microdrama.picture.figure import Figure, Palette
from microdrama.picture.outfits import outfit_style, paint_body, paint_hand, paint_holding_arm
from microdrama.picture.props import paint_prop, painter
from microdrama.words.template import Character

Layer = Callable[[ImageDraw.ImageDraw, Figure, Palette], None]


@dataclass(frozen=True)
class Face:
    """What a face shows in one frame: the emotion, how far the mouth is open while speaking
    (0 closed: the emotion's own mouth; 1 wide), and whether the eyes are open (a blink)."""

    emotion: str = "neutral"
    mouth_open: float = 0.0
    eyes_open: bool = True


@dataclass(frozen=True)
class Held:
    """A prop in the character's hand (or on its head, for a worn one), by drawing name."""

    drawing: str
    color: str | None = None  # a template prop's #rrggbb; the painter's own color otherwise


# --- hair -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HairStyle:
    back: Layer | None  # behind the head and body
    front: Layer  # over the head: the cap, fringe, bun


HAIR: Registry[HairStyle] = Registry("hair style")


def _long_back(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    d.rounded_rectangle(
        (f.cx - f.hw * 1.25, f.top - f.head * 0.05, f.cx + f.hw * 1.25, f.head_y + f.head * 1.35),
        radius=f.hw,
        fill=p.hair,
    )


def _bob_back(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    d.rounded_rectangle(
        (f.cx - f.hw * 1.2, f.top - f.head * 0.06, f.cx + f.hw * 1.2, f.head_y + f.head * 0.55),
        radius=f.hw * 0.8,
        fill=p.hair,
    )


def _ponytail_back(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    d.ellipse(
        (f.cx + f.hw * 0.6, f.head_y - f.head * 0.2, f.cx + f.hw * 1.5, f.head_y + f.head * 0.9),
        fill=p.hair,
    )


def _crown(d: ImageDraw.ImageDraw, f: Figure, p: Palette, depth: float) -> None:
    """Hair over the top of the head, reaching `depth` head heights down from its top."""
    box_ = (f.cx - f.hw * 1.05, f.top - f.head * 0.08, f.cx + f.hw * 1.05, f.top + f.head * depth)
    d.chord(box_, 180, 360, fill=p.hair)


def _cap(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    """Short hair over the crown, down to the ears."""
    cx, hw, top = f.cx, f.hw, f.top
    _crown(d, f, p, 0.5)
    d.rectangle((cx - hw * 1.05, top + f.head * 0.15, cx - hw * 0.85, f.head_y), fill=p.hair)
    d.rectangle((cx + hw * 0.85, top + f.head * 0.15, cx + hw * 1.05, f.head_y), fill=p.hair)


def _slick(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    _cap(d, f, p)
    d.line(
        (f.cx - f.hw * 0.3, f.top - f.head * 0.05, f.cx - f.hw * 0.2, f.top + f.head * 0.2),
        fill=mix(p.hair, (255, 255, 255), 0.25),
        width=max(2, int(f.head * 0.02)),
    )


def _bun(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    _cap(d, f, p)
    cx, hw, top = f.cx, f.hw, f.top
    d.ellipse(
        (cx - hw * 0.45, top - f.head * 0.38, cx + hw * 0.45, top + f.head * 0.08), fill=p.hair
    )
    d.line(  # a hairpin through the bun, in the accent color
        (cx - hw * 0.6, top - f.head * 0.2, cx + hw * 0.6, top - f.head * 0.3),
        fill=p.accent,
        width=max(2, int(f.head * 0.03)),
    )


def _fringe(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    """Long hair and bobs: a side-swept fringe."""
    cx, hw, top = f.cx, f.hw, f.top
    _crown(d, f, p, 0.62)
    d.polygon(
        [
            (cx - hw * 1.05, top + f.head * 0.3),
            (cx - hw * 0.2, top + f.head * 0.25),
            (cx - hw * 0.9, f.head_y + f.head * 0.1),
        ],
        fill=p.hair,
    )


HAIR.add("long", HairStyle(_long_back, _fringe))
HAIR.add("bob", HairStyle(_bob_back, _fringe))
HAIR.add("ponytail", HairStyle(_ponytail_back, _cap))
HAIR.add("short", HairStyle(None, _cap))
HAIR.add("slick", HairStyle(None, _slick))
HAIR.add("bun", HairStyle(None, _bun))


# --- faces ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    tilt: float  # brows: inner end down (angry, > 0) or up (sad, < 0), in head heights
    mouth: str  # a MOUTHS name
    wide_eyes: bool = False
    tears: bool = False
    blush: bool = False


EXPRESSIONS: Registry[Expression] = Registry("expression")
for _name, _expr in {
    "angry": Expression(0.12, "flat"),
    "contempt": Expression(0.06, "smirk"),
    "smug": Expression(0.0, "smirk"),
    "sad": Expression(-0.1, "frown", tears=True),
    "afraid": Expression(-0.12, "open", wide_eyes=True),
    "shocked": Expression(-0.14, "open", wide_eyes=True),
    "tender": Expression(-0.04, "smile", blush=True),
    "joyful": Expression(-0.02, "smile"),
    "cold": Expression(0.04, "flat"),
    "determined": Expression(0.08, "flat"),
    "neutral": Expression(0.0, "flat"),
}.items():
    EXPRESSIONS.add(_name, _expr)

Mouth = Callable[[ImageDraw.ImageDraw, float, float, float, tuple, int], None]
MOUTHS: Registry[Mouth] = Registry("mouth")


@MOUTHS.register("open")
def _open(d: ImageDraw.ImageDraw, cx: float, my: float, mw: float, lip: tuple, lw: int) -> None:
    d.ellipse((cx - mw * 0.5, my - mw * 0.4, cx + mw * 0.5, my + mw * 0.6), fill=(70, 20, 25))


@MOUTHS.register("smile")
def _smile(d: ImageDraw.ImageDraw, cx: float, my: float, mw: float, lip: tuple, lw: int) -> None:
    d.arc((cx - mw, my - mw * 0.8, cx + mw, my + mw * 0.6), 20, 160, fill=lip, width=lw)


@MOUTHS.register("frown")
def _frown(d: ImageDraw.ImageDraw, cx: float, my: float, mw: float, lip: tuple, lw: int) -> None:
    d.arc((cx - mw, my, cx + mw, my + mw * 1.2), 200, 340, fill=lip, width=lw)


@MOUTHS.register("smirk")
def _smirk(d: ImageDraw.ImageDraw, cx: float, my: float, mw: float, lip: tuple, lw: int) -> None:
    d.line((cx - mw, my + mw * 0.1, cx + mw * 0.4, my + mw * 0.1), fill=lip, width=lw)
    d.line((cx + mw * 0.4, my + mw * 0.1, cx + mw, my - mw * 0.25), fill=lip, width=lw)


@MOUTHS.register("flat")
def _flat(d: ImageDraw.ImageDraw, cx: float, my: float, mw: float, lip: tuple, lw: int) -> None:
    d.line((cx - mw, my, cx + mw, my), fill=lip, width=lw)


def paint_head(d: ImageDraw.ImageDraw, f: Figure, p: Palette) -> None:
    """The head and ears."""
    cx, hw = f.cx, f.hw
    d.ellipse((cx - hw, f.top, cx + hw, f.top + f.head), fill=p.skin)
    for side in (-1, 1):
        ear = box(
            cx + side * hw * 0.85,
            f.head_y - f.head * 0.05,
            cx + side * hw * 1.08,
            f.head_y + f.head * 0.18,
        )
        d.ellipse(ear, fill=p.skin)


def paint_face(d: ImageDraw.ImageDraw, f: Figure, p: Palette, face: Face) -> None:
    """Eyes (open or shut), brows, nose and mouth for an emotion, and the mouth open by
    `face.mouth_open` while the character speaks."""
    expr = EXPRESSIONS[face.emotion]
    mouth = MOUTHS[expr.mouth]
    cx, hw, head, head_y = f.cx, f.hw, f.head, f.head_y
    eye_y = head_y + head * 0.02
    eye_w = hw * 0.24
    lid = mix(p.skin, (0, 0, 0), 0.45)
    for side in (-1, 1):
        ex = cx + side * hw * 0.42
        if face.eyes_open:
            tall = 0.75 if expr.wide_eyes else 0.55
            d.ellipse(
                (ex - eye_w, eye_y - eye_w * tall, ex + eye_w, eye_y + eye_w * tall),
                fill=(250, 250, 250),
            )
            pr = eye_w * (0.42 if expr.wide_eyes else 0.55)
            d.ellipse((ex - pr, eye_y - pr, ex + pr, eye_y + pr), fill=(35, 25, 20))
        else:  # a blink: the lid's curve
            d.arc(
                (ex - eye_w, eye_y - eye_w * 0.5, ex + eye_w, eye_y + eye_w * 0.5),
                10,
                170,
                fill=lid,
                width=max(2, int(head * 0.025)),
            )
        by = eye_y - head * 0.13
        inner, outer = ex - side * eye_w * 1.1, ex + side * eye_w * 1.2
        d.line(
            (inner, by + expr.tilt * head, outer, by - expr.tilt * head * 0.4),
            fill=mix(p.hair, (0, 0, 0), 0.3),
            width=max(2, int(head * 0.035)),
        )
    if expr.tears:
        d.ellipse(
            (cx + hw * 0.35, eye_y + eye_w, cx + hw * 0.5, eye_y + eye_w * 2.2),
            fill=(170, 210, 255, 220),
        )
    if expr.blush:
        for side in (-1, 1):
            bx = cx + side * hw * 0.55
            d.ellipse(
                (bx - eye_w, eye_y + eye_w * 1.4, bx + eye_w, eye_y + eye_w * 2.2),
                fill=(235, 120, 120, 90),
            )
    d.line(
        (cx, eye_y + head * 0.06, cx - hw * 0.08, eye_y + head * 0.16),
        fill=mix(p.skin, (0, 0, 0), 0.3),
        width=max(1, int(head * 0.02)),
    )
    my, mw = head_y + head * 0.3, hw * 0.32
    lip = mix(p.skin, (150, 30, 40), 0.55)
    lw = max(2, int(head * 0.03))
    if face.mouth_open > 0:  # speaking: an opening as tall as the syllable is loud
        o = min(1.0, face.mouth_open)
        d.ellipse(
            (cx - mw * 0.6, my - mw * (0.1 + 0.3 * o), cx + mw * 0.6, my + mw * (0.15 + 0.6 * o)),
            fill=(70, 20, 25),
            outline=lip,
            width=max(1, lw // 2),
        )
    else:
        mouth(d, cx, my, mw, lip, lw)


# --- the whole character ----------------------------------------------------------------------


def paint_worn(d: ImageDraw.ImageDraw, f: Figure, held: Held) -> None:
    """A worn prop (a veil) over the head."""
    paint_prop(d, held.drawing, f.cx, f.head_y - f.head * 0.05, f.hw * 1.35, held.color)


def paint_held(d: ImageDraw.ImageDraw, f: Figure, p: Palette, style: str, held: Held) -> None:
    """The bent arm, the prop above the hand, and the fist closed over it."""
    paint_holding_arm(d, f, p, style)
    hx, hy = f.hand
    r = f.head * 0.42
    paint_prop(d, held.drawing, hx, hy - r * 0.55, r, held.color)
    paint_hand(d, f, p)


def paint_character(
    d: ImageDraw.ImageDraw,
    who: Character,
    f: Figure,
    face: Face = Face(),
    held: Held | None = None,
    style: str | None = None,
) -> None:
    """Every layer of `who`, back to front, with one pen (an RGB frame's or a layer's)."""
    p = Palette.of(who.look)
    hair = HAIR[who.look.hair_style]
    style = style or outfit_style(who.archetype, who.id)
    worn = held is not None and painter(held.drawing).worn
    if hair.back:
        hair.back(d, f, p)
    paint_body(d, f, p, style, holding=held is not None and not worn)
    paint_head(d, f, p)
    paint_face(d, f, p, face)
    hair.front(d, f, p)
    if held is not None:
        if worn:
            paint_worn(d, f, held)
        else:
            paint_held(d, f, p, style, held)


def draw_character(
    img: Image.Image,
    who: Character,
    cx: float,
    head_y: float,
    head: float,
    emotion: str,
    full_body: bool,
    *,
    held: Held | None = None,
    style: str | None = None,
    mouth_open: float = 0.0,
    eyes_open: bool = True,
) -> None:
    """Draw a figure whose head (height `head`) is centered at (cx, head_y) onto `img`."""
    face = Face(emotion, mouth_open, eyes_open)
    paint_character(
        ImageDraw.Draw(img, "RGBA"), who, Figure(cx, head_y, head, full_body), face, held, style
    )


def character_layer(
    who: Character,
    size: tuple[int, int],
    figure: Figure,
    face: Face = Face(),
    held: Held | None = None,
    style: str | None = None,
) -> Image.Image:
    """The character alone on a transparent RGBA layer of `size`: a compositor can move it at
    its own depth, breathe it, and repaint only the face (mouth, blink) frame by frame."""
    return matte(size, [lambda d: paint_character(d, who, figure, face, held, style)])
