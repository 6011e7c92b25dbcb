"""Subtitles: SRT/VTT sidecars and burned-in captions drawn with PIL.

Captions are drawn as pixels, never passed through an ffmpeg filter string, so quotes,
colons, backslashes, percent signs and any script render literally. A cue shows at most
`CUE_LINES` rows of its script's width; a longer line is split into more cues, each given
time in proportion to its characters, and held longer (into the pause after it) where the
reading speed asks for it. Rows are laid out with the Unicode bidirectional algorithm at the
locale's own base direction, so an Arabic topic inside an English line stays where the
sentence puts it.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from bidi import get_display
from PIL import Image, ImageDraw, features

from microdrama.picture.fonts import FontFile
from microdrama.words.text import (
    CUE_LINES,
    MIN_CUE_SECONDS,
    Layout,
    caption_tokens,
    display_width,
    is_wide,
    one_line,
    reading_chars,
)

RAQM = features.check("raqm")  # libraqm: HarfBuzz shaping and FriBidi's bidi in one pass


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    line: int | None = None  # the script line it shows (a long one is split over several cues)


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _spoken(cues: list[Cue]) -> list[Cue]:
    """Cues on one line each (a newline would end a cue early); empty ones dropped."""
    return [Cue(c.start, c.end, one_line(c.text)) for c in cues if one_line(c.text)]


def to_srt(cues: list[Cue]) -> str:
    return "\n".join(
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(_spoken(cues), 1)
    )


def to_vtt(cues: list[Cue]) -> str:
    """WebVTT with '&', '<' and '>' escaped, so no text can open a tag or fake a '-->'."""
    body = "\n".join(
        f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{html.escape(c.text, quote=False)}\n"
        for c in _spoken(cues)
    )
    return f"WEBVTT\n\n{body}"


def visual_order(row: str, rtl: bool = False) -> str:
    """A row's characters in the order they appear left to right on screen: the Unicode
    bidirectional algorithm (UAX #9, by python-bidi) at base direction RTL or LTR."""
    return get_display(row, base_dir="R" if rtl else "L")


class CaptionPainter:
    """Draw a caption as an RGBA strip the width of the frame.

    `columns` caps a row at its script's convention (42 Latin, 16 CJK) on top of the frame's
    width; `rtl` is the locale's base direction. Each row's bidi layout is the UBA at that
    base, never guessed from the row's first letter: an English line that opens on an Arabic
    topic stays left to right.
    """

    def __init__(
        self, font: FontFile, width: int, size: int, columns: int | None = None, rtl: bool = False
    ):
        self.font = font.load(size)
        self.width, self.size, self.columns, self.rtl = width, size, columns, rtl

    def fits(self, row: str) -> bool:
        """Whether a row fits the frame's caption width (and its script's columns)."""
        if self.columns is not None and display_width(row) > self.columns:
            return False
        return self._length(row) <= self.width * 0.86

    def _length(self, row: str) -> float:
        return self.font.getlength(row, **self._direction()) if row else 0.0

    def _direction(self) -> dict:
        return {"direction": "rtl" if self.rtl else "ltr"} if RAQM else {}

    def wrap(self, text: str) -> list[str]:
        """Rows in logical order, broken between words (anywhere in CJK) where the next word
        would not fit; a word too wide for any row stays whole, on its own (`fits` says so)."""
        return fill_rows(caption_tokens(text), self.fits)

    def _drawn(self, row: str) -> str:
        """What PIL is given: raqm reorders and shapes by itself; PIL's basic layout draws
        characters in the order given, so it gets the row in visual order."""
        return row if RAQM else visual_order(row, self.rtl)

    def paint(self, text: str, color: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
        lines = self.wrap(text)
        line_h = round(self.size * 1.3)
        pad = self.size // 2
        if not lines:  # nothing to show: a transparent strip, no box
            return np.zeros((2 * pad, self.width, 4), np.uint8)
        strip = Image.new("RGBA", (self.width, line_h * len(lines) + 2 * pad), (0, 0, 0, 0))
        draw = ImageDraw.Draw(strip)
        widths = [self._length(line) for line in lines]
        box_w = max(widths) + 2 * pad
        x0 = (self.width - box_w) / 2
        draw.rounded_rectangle(
            (x0, 0, x0 + box_w, strip.height - 1), radius=pad, fill=(0, 0, 0, 140)
        )
        for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
            draw.text(
                ((self.width - w) / 2, pad + i * line_h),
                self._drawn(line),
                font=self.font,
                **self._direction(),
                fill=(*color, 255),
                stroke_width=max(2, self.size // 14),
                stroke_fill=(0, 0, 0, 255),
            )
        return np.asarray(strip)


def _joined(rows: list[str]) -> str:
    """Rows back into text: a space between words, none between CJK characters."""
    text = ""
    for row in rows:
        wide = text and (is_wide(text[-1]) or is_wide(row[0]))
        text += row if not text or wide else f" {row}"
    return text


# a cue reads best when it ends where the voice pauses: Latin and CJK (full-width) marks
PAUSES = tuple(",.;:!?") + tuple(
    chr(c) for c in (0xFF0C, 0x3002, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F, 0x3001)
)


def _balanced(text: str, layout: Layout) -> list[str]:
    """`text` in the fewest parts of at most `CUE_LINES` rows each, cut between words where
    the characters divide evenly (no one-word orphan at the end), moved up to two words to
    end on a pause (punctuation) where one is near, which also keeps a name like "Lin Xia"
    whole; a part that cannot fit (a word too wide) comes back as the rows fall, for the gate
    to refuse."""
    tokens = [t for t in caption_tokens(text) if t != " "]
    rows = layout.wrap(text)
    sizes = np.cumsum([len(t) for t in tokens])
    for count in range(-(-len(rows) // CUE_LINES), len(tokens) + 1):
        cuts = []
        for n in range(1, count):
            even = int(np.searchsorted(sizes, sizes[-1] * n / count)) + 1
            near = [c for c in range(even - 2, even + 3) if 0 < c < len(tokens)]
            paused = [c for c in near if tokens[c - 1].endswith(PAUSES)]
            cuts.append(min(paused, key=lambda c: abs(c - even)) if paused else even)
        bounds = [0, *sorted(set(cuts)), len(tokens)]
        parts = [_joined(tokens[a:b]) for a, b in itertools.pairwise(bounds) if b > a]
        if all(len(layout.wrap(part)) <= CUE_LINES for part in parts):
            return parts
    return [_joined(rows[i : i + CUE_LINES]) for i in range(0, len(rows), CUE_LINES)]


def split_cues(
    cues: list[Cue], layout: Layout, cps: float, until: float, cuts: list[float] | None = None
) -> list[Cue]:
    """Cues that each show at most `CUE_LINES` rows of `layout`, readable at `cps`.

    A cue of more rows becomes several, `CUE_LINES` rows each, sharing its time by their
    characters. A cue that asks for more than `cps` is held longer, into the pause before the
    next cue, but never past the next cut (`cuts`: where shots begin) nor `until` (the
    picture's end): a caption running over a shot change is read as belonging to the next
    shot. What still does not fit (a word wider than a row, or speech faster than anyone reads
    with no pause to borrow) is left as it is, for the caption gates to refuse.
    """
    out: list[Cue] = []
    for n, cue in enumerate(cues):
        rows = layout.wrap(cue.text)
        if not rows:
            continue
        limit = cues[n + 1].start if n + 1 < len(cues) else until
        limit = min([limit, *(c for c in cuts or [] if c > cue.start + 1e-3)])
        needed = max(reading_chars(cue.text) / cps, MIN_CUE_SECONDS)
        end = max(cue.end, min(cue.start + needed, limit))
        parts = _balanced(cue.text, layout) if len(rows) > CUE_LINES else [cue.text]
        weights = [reading_chars(p) for p in parts]
        clock, line = cue.start, n if cue.line is None else cue.line
        for part, weight in zip(parts, weights, strict=True):
            step = (end - cue.start) * weight / sum(weights)
            out.append(Cue(round(clock, 3), round(min(clock + step, end), 3), part, line))
            clock += step
    return out


def fill_rows(tokens: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Tokens laid greedily on rows, a row closed when the next token would not fit."""
    rows, current = [], ""
    for token in tokens:
        trial = current + token
        if current.strip() and not fits(trial.strip()):
            rows.append(current.strip())
            current = token.lstrip()
        else:
            current = trial
    if current.strip():
        rows.append(current.strip())
    return rows
