"""Outfit painters, and the table that dresses a character by archetype, role and genre.

The look's colors stay the series' own (a character wears the same colors in every episode);
the cut follows who they are: a CEO in a suit and tie, an heiress in a gown, a consort in a
crossed-collar robe, an Alpha in a fur-collared jacket, a bodyguard in a uniform.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from PIL import ImageDraw

from microdrama.picture.brush import Registry, box, mix
from microdrama.picture.figure import Figure, Palette

Details = Callable[[ImageDraw.ImageDraw, Figure, Palette], None]


@dataclass(frozen=True)
class Outfit:
    details: Details  # neckline, lapels, tie, sash, buttons: drawn over the torso
    lower: str = "trousers"  # "trousers", "skirt" (to the knee) or "long" (to the floor)
    sleeves: str = "fitted"  # "fitted", "wide" (a robe's) or "bare" (a gown's: skin)


OUTFITS: Registry[Outfit] = Registry("outfit")


def outfit(
    name: str, lower: str = "trousers", sleeves: str = "fitted"
) -> Callable[[Details], Details]:
    def add(details: Details) -> Details:
        OUTFITS.add(name, Outfit(details, lower, sleeves))
        return details

    return add


# --- who wears what ---------------------------------------------------------------------------

ARCHETYPE_STYLES: tuple[tuple[str, str], ...] = (  # a word of the archetype -> style; first wins
    ("lycan", "leather"),
    ("alpha", "leather"),
    ("she-wolf", "leather"),
    ("wolf", "leather"),
    ("beta", "leather"),
    ("luna", "gown"),
    ("omega", "hoodie"),
    ("healer", "apron"),
    ("emperor", "robe"),
    ("empress", "robe"),
    ("dowager", "robe"),
    ("consort", "robe"),
    ("prince", "robe"),
    ("princess", "robe"),
    ("palace", "robe"),
    ("general", "robe"),
    ("disguised", "hoodie"),
    ("delivery", "hoodie"),
    ("humble", "hoodie"),
    ("bodyguard", "uniform"),
    ("guard", "uniform"),
    ("butler", "uniform"),
    ("bride", "gown"),
    ("heiress", "gown"),
    ("fiancee", "gown"),
    ("girlfriend", "gown"),
    ("wife", "gown"),
    ("stepsister", "gown"),
    ("sister", "gown"),
    ("intern", "blouse"),
    ("secretary", "blouse"),
    ("assistant", "blouse"),
    ("baker", "apron"),
    ("maid", "apron"),
    ("nanny", "apron"),
    ("single mother", "apron"),
    ("grandmother", "shawl"),
    ("mother", "shawl"),
    ("matriarch", "shawl"),
    ("aunt", "shawl"),
    ("son-in-law", "hoodie"),
    ("friend", "hoodie"),
    ("comrade", "hoodie"),
    ("orphan", "hoodie"),
    ("daughter", "blouse"),
    ("granddaughter", "blouse"),
    ("lawyer", "suit"),
    ("ceo", "suit"),
    ("chairman", "suit"),
    ("billionaire", "suit"),
    ("tycoon", "suit"),
    ("heir", "suit"),
    ("husband", "suit"),
    ("fiance", "suit"),
    ("boyfriend", "suit"),
    ("groom", "suit"),
    ("cousin", "suit"),
    ("bully", "suit"),
    ("brother-in-law", "suit"),
    ("father", "suit"),
    ("uncle", "suit"),
    ("man", "suit"),
)
GENRE_STYLES = {"palace-intrigue": "robe"}  # a costume drama dresses everyone for the court
ROLE_STYLES = {  # when the archetype names nothing the table knows
    "lead": "blouse",
    "love": "suit",
    "rival": "gown",
    "ex": "suit",
    "ally": "hoodie",
    "elder": "shawl",
}
DEFAULT_STYLE = "blouse"


def outfit_style(archetype: str, role: str = "", genre: str = "") -> str:
    """The outfit a character wears: the genre's costume, else its archetype's, else its
    role's. Deterministic, so a character is dressed alike in every shot and episode."""
    if genre in GENRE_STYLES:
        return GENRE_STYLES[genre]
    text = archetype.lower()
    for word, style in ARCHETYPE_STYLES:
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):  # "wolf" in "she-wolf"
            return style
    return ROLE_STYLES.get(role, DEFAULT_STYLE)


# --- the body every outfit shares -------------------------------------------------------------


def paint_body(
    d: ImageDraw.ImageDraw, fig: Figure, pal: Palette, style: str, holding: bool
) -> None:
    """Legs (or skirt), torso, arms and the outfit's details; the holding arm bends to the chest."""
    wear = OUTFITS[style]
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.rectangle(  # the neck
        (cx - hw * 0.35, fig.head_y + head * 0.35, cx + hw * 0.35, sy + head * 0.1),
        fill=mix(pal.skin, (0, 0, 0), 0.12),
    )
    if fig.full_body:
        _lower(d, fig, pal, wear.lower)
    torso = [
        (cx - hw * 2.3, sy + head * 0.25),
        (cx - hw * 1.6, sy),
        (cx + hw * 1.6, sy),
        (cx + hw * 2.3, sy + head * 0.25),
        (cx + hw * 1.8, fig.hip_y),
        (cx - hw * 1.8, fig.hip_y),
    ]
    d.polygon(torso, fill=pal.outfit)
    wear.details(d, fig, pal)
    sleeve = pal.skin if wear.sleeves == "bare" else pal.shade
    for side in (-1, 1):
        if holding and side == 1:
            continue  # drawn by the hand, over the prop's layer
        x = cx + side * hw * 2.15
        bottom = sy + fig.body_h * 0.85
        if wear.sleeves == "wide":
            d.polygon(
                [
                    (x, sy + head * 0.2),
                    (x + side * hw * 0.7, sy + head * 0.2),
                    (x + side * hw * 1.3, bottom),
                    (x - side * hw * 0.3, bottom),
                ],
                fill=sleeve,
            )
        else:
            d.rounded_rectangle(
                box(x, sy + head * 0.2, x + side * hw * 0.7, bottom), radius=hw * 0.3, fill=sleeve
            )
        if fig.full_body:
            hx = x + side * hw * 0.35
            d.ellipse(
                (
                    hx - hw * 0.32,
                    sy + fig.body_h * 0.8,
                    hx + hw * 0.32,
                    sy + fig.body_h * 0.8 + hw * 0.6,
                ),
                fill=pal.skin,
            )


def paint_holding_arm(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette, style: str) -> None:
    """The arm that holds a prop: shoulder to elbow at the side, forearm across to the chest."""
    wear = OUTFITS[style]
    sleeve = pal.skin if wear.sleeves == "bare" else pal.shade
    hw, head, sy = fig.hw, fig.head, fig.shoulder_y
    shoulder = (fig.cx + hw * 2.5, sy + head * 0.35)
    elbow = (fig.cx + hw * 2.75, sy + head * 1.45)
    hand = fig.hand
    width = int(hw * (0.95 if wear.sleeves == "wide" else 0.7))
    d.line((*shoulder, *elbow), fill=sleeve, width=width)
    d.line((*elbow, hand[0] + hw * 0.2, hand[1] + hw * 0.2), fill=sleeve, width=width)
    r = width / 2
    d.ellipse((elbow[0] - r, elbow[1] - r, elbow[0] + r, elbow[1] + r), fill=sleeve)
    d.ellipse((shoulder[0] - r, shoulder[1] - r, shoulder[0] + r, shoulder[1] + r), fill=sleeve)


def paint_hand(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """The fist closed on a held prop, drawn over the prop's lower end."""
    hx, hy = fig.hand
    r = fig.hw * 0.36
    d.ellipse((hx - r, hy - r * 0.9, hx + r, hy + r * 0.9), fill=pal.skin)
    d.line(
        (hx - r * 0.6, hy - r * 0.1, hx + r * 0.5, hy - r * 0.1),
        fill=mix(pal.skin, (0, 0, 0), 0.25),
        width=max(1, int(r * 0.12)),
    )


def _lower(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette, lower: str) -> None:
    """Below the hips: trousers, a skirt to the knee, or a hem to the floor; shoes under all."""
    cx, hw, head, top = fig.cx, fig.hw, fig.head, fig.hip_y
    shoe = (20, 18, 22)
    if lower == "trousers":
        for side in (-1, 1):
            d.rectangle(
                box(cx + side * hw * 0.15, top, cx + side * hw * 1.3, top + head * 3.2),
                fill=pal.dark,
            )
    else:
        for side in (-1, 1):  # legs where the hem stops short
            d.rectangle(
                box(cx + side * hw * 0.25, top, cx + side * hw * 1.0, top + head * 3.2),
                fill=pal.skin,
            )
        hem = top + head * (1.6 if lower == "skirt" else 3.15)
        flare = hw * (2.0 if lower == "skirt" else 2.6)
        d.polygon(
            [
                (cx - hw * 1.8, top - 1),
                (cx + hw * 1.8, top - 1),
                (cx + flare, hem),
                (cx - flare, hem),
            ],
            fill=pal.outfit,
        )
    for side in (-1, 1):
        d.ellipse(
            box(cx + side * hw * 0.1, top + head * 3.05, cx + side * hw * 1.6, top + head * 3.4),
            fill=shoe,
        )


def _v_neck(
    d: ImageDraw.ImageDraw, fig: Figure, fill: tuple, depth: float, width: float = 0.55
) -> None:
    cx, hw, sy = fig.cx, fig.hw, fig.shoulder_y
    d.polygon(
        [(cx - hw * width, sy), (cx, sy + fig.head * depth), (cx + hw * width, sy)], fill=fill
    )


# --- the outfits ------------------------------------------------------------------------------


@outfit("suit")
def _suit(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """Jacket, white shirt, lapels and a tie in the accent color."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    _v_neck(d, fig, (240, 240, 236), 1.5, 0.9)
    for side in (-1, 1):
        d.polygon(
            [
                (cx + side * hw * 0.9, sy),
                (cx + side * hw * 0.15, sy + head * 1.5),
                (cx + side * hw * 0.7, sy + head * 0.55),
            ],
            fill=pal.shade,
        )
    d.polygon(
        [
            (cx - hw * 0.12, sy + head * 0.15),
            (cx + hw * 0.12, sy + head * 0.15),
            (cx + hw * 0.2, sy + head * 1.3),
            (cx, sy + head * 1.45),
            (cx - hw * 0.2, sy + head * 1.3),
        ],
        fill=pal.accent,
    )
    for n in range(2):
        by = sy + head * (1.75 + n * 0.45)
        d.ellipse((cx - hw * 0.09, by, cx + hw * 0.09, by + hw * 0.18), fill=pal.dark)


@outfit("gown", lower="long", sleeves="bare")
def _gown(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """Off-the-shoulder: bare shoulders and neckline, a necklace and a sash at the waist."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.polygon(
        [
            (cx - hw * 2.3, sy + head * 0.25),
            (cx - hw * 1.6, sy),
            (cx + hw * 1.6, sy),
            (cx + hw * 2.3, sy + head * 0.25),
            (cx + hw * 1.2, sy + head * 0.55),
            (cx, sy + head * 0.8),
            (cx - hw * 1.2, sy + head * 0.55),
        ],
        fill=pal.skin,
    )
    d.arc(
        (cx - hw * 0.7, sy - head * 0.3, cx + hw * 0.7, sy + head * 0.45),
        20,
        160,
        fill=pal.accent,
        width=max(2, int(head * 0.03)),
    )
    d.ellipse((cx - hw * 0.12, sy + head * 0.38, cx + hw * 0.12, sy + head * 0.55), fill=pal.accent)
    d.rectangle((cx - hw * 1.85, sy + head * 1.6, cx + hw * 1.85, sy + head * 1.8), fill=pal.accent)


@outfit("robe", lower="long", sleeves="wide")
def _robe(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """A crossed collar (left over right) with a light inner robe, trimmed, and a wide sash."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    inner = mix(pal.outfit, (255, 255, 255), 0.75)
    _v_neck(d, fig, inner, 1.2, 0.7)
    lw = max(3, int(head * 0.07))
    d.line((cx - hw * 0.9, sy, cx + hw * 0.5, sy + head * 1.3), fill=pal.accent, width=lw)
    d.line((cx + hw * 0.9, sy, cx + hw * 0.15, sy + head * 0.9), fill=pal.accent, width=lw)
    d.rectangle(
        (cx - hw * 1.95, sy + head * 1.45, cx + hw * 1.95, sy + head * 1.85), fill=pal.accent
    )
    d.rectangle((cx - hw * 0.25, sy + head * 1.85, cx, sy + head * 2.5), fill=pal.accent)


@outfit("apron", lower="skirt")
def _apron(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """A round collar and a white apron with straps and a pocket."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.chord(
        (cx - hw * 0.7, sy - head * 0.2, cx + hw * 0.7, sy + head * 0.35), 0, 180, fill=pal.light
    )
    white = (244, 242, 236)
    for side in (-1, 1):
        d.line(
            (cx + side * hw * 1.5, sy, cx + side * hw * 1.05, sy + head * 0.9),
            fill=white,
            width=max(2, int(hw * 0.22)),
        )
    d.rounded_rectangle(
        (cx - hw * 1.15, sy + head * 0.85, cx + hw * 1.15, fig.hip_y + head * 0.6),
        radius=hw * 0.2,
        fill=white,
    )
    d.rectangle(
        (cx - hw * 0.5, sy + head * 1.9, cx + hw * 0.5, sy + head * 2.35),
        outline=pal.accent,
        width=max(2, int(hw * 0.08)),
    )


@outfit("blouse", lower="skirt")
def _blouse(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """A pointed white collar and an open cardigan edged in the accent color."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    _v_neck(d, fig, mix(pal.skin, (0, 0, 0), 0.05), 0.5)
    for side in (-1, 1):
        d.polygon(
            [
                (cx + side * hw * 0.55, sy - head * 0.02),
                (cx, sy + head * 0.5),
                (cx + side * hw * 0.9, sy + head * 0.35),
            ],
            fill=(248, 248, 248),
        )
        d.line(
            (cx + side * hw * 0.9, sy + head * 0.1, cx + side * hw * 0.8, fig.hip_y),
            fill=pal.accent,
            width=max(2, int(hw * 0.15)),
        )
    for n in range(3):
        by = sy + head * (0.8 + n * 0.4)
        d.ellipse((cx - hw * 0.07, by, cx + hw * 0.07, by + hw * 0.14), fill=pal.light)


@outfit("shawl", lower="long")
def _shawl(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """A high collar, a shawl over both shoulders in the accent color and a brooch."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.rectangle((cx - hw * 0.45, sy - head * 0.08, cx + hw * 0.45, sy + head * 0.1), fill=pal.shade)
    d.polygon(
        [
            (cx - hw * 2.35, sy + head * 0.3),
            (cx - hw * 1.6, sy - head * 0.02),
            (cx + hw * 1.6, sy - head * 0.02),
            (cx + hw * 2.35, sy + head * 0.3),
            (cx + hw * 1.2, sy + head * 1.2),
            (cx, sy + head * 0.9),
            (cx - hw * 1.2, sy + head * 1.2),
        ],
        fill=mix(pal.accent, pal.outfit, 0.3),
    )
    d.ellipse((cx - hw * 0.2, sy + head * 0.7, cx + hw * 0.2, sy + head * 1.0), fill=(212, 175, 55))
    for n in range(7):  # pearls
        t = n / 6
        px, py = cx - hw * 0.45 + t * hw * 0.9, sy + head * (0.12 + 0.1 * (1 - abs(t - 0.5) * 2))
        d.ellipse(
            (px - hw * 0.06, py - hw * 0.06, px + hw * 0.06, py + hw * 0.06), fill=(245, 240, 230)
        )


@outfit("hoodie")
def _hoodie(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """A hood folded behind the neck, drawstrings and a front pocket."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.ellipse((cx - hw * 1.1, sy - head * 0.15, cx + hw * 1.1, sy + head * 0.45), fill=pal.shade)
    d.ellipse(
        (cx - hw * 0.6, sy - head * 0.1, cx + hw * 0.6, sy + head * 0.25),
        fill=mix(pal.skin, (0, 0, 0), 0.12),
    )
    for side in (-1, 1):
        x = cx + side * hw * 0.3
        d.line(
            (x, sy + head * 0.3, x, sy + head * 1.0), fill=pal.accent, width=max(2, int(hw * 0.08))
        )
    d.rounded_rectangle(
        (cx - hw * 1.1, sy + head * 2.2, cx + hw * 1.1, sy + head * 2.9),
        radius=hw * 0.2,
        fill=pal.shade,
    )


@outfit("uniform")
def _uniform(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """A closed high collar, a row of buttons, epaulettes and a belt."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.rectangle((cx - hw * 0.5, sy - head * 0.06, cx + hw * 0.5, sy + head * 0.15), fill=pal.dark)
    for side in (-1, 1):
        d.rectangle(
            box(cx + side * hw * 1.3, sy - head * 0.02, cx + side * hw * 2.2, sy + head * 0.14),
            fill=pal.accent,
        )
    for n in range(5):
        by = sy + head * (0.35 + n * 0.4)
        d.ellipse((cx - hw * 0.1, by, cx + hw * 0.1, by + hw * 0.2), fill=pal.accent)
    d.rectangle((cx - hw * 1.85, sy + head * 2.4, cx + hw * 1.85, sy + head * 2.6), fill=pal.dark)
    d.rectangle((cx - hw * 0.2, sy + head * 2.38, cx + hw * 0.2, sy + head * 2.62), fill=pal.accent)


@outfit("leather")
def _leather(d: ImageDraw.ImageDraw, fig: Figure, pal: Palette) -> None:
    """An open jacket over a dark shirt, with a shaggy fur collar."""
    cx, hw, head, sy = fig.cx, fig.hw, fig.head, fig.shoulder_y
    d.polygon(
        [
            (cx - hw * 0.8, sy),
            (cx + hw * 0.8, sy),
            (cx + hw * 0.45, fig.hip_y),
            (cx - hw * 0.45, fig.hip_y),
        ],
        fill=(28, 26, 30),
    )
    fur = mix(pal.accent, (235, 230, 220), 0.5)
    for n in range(9):
        t = n / 8
        fx = cx - hw * 1.9 + t * hw * 3.8
        fy = sy + head * 0.08 * (1 - abs(t - 0.5) * 2) + head * 0.05
        d.ellipse((fx - hw * 0.32, fy - hw * 0.28, fx + hw * 0.32, fy + hw * 0.28), fill=fur)
    d.line(
        (cx + hw * 0.55, sy + head * 0.4, cx + hw * 0.5, fig.hip_y),
        fill=pal.light,
        width=max(1, int(hw * 0.06)),
    )
