"""The explicit label: what a viewer sees on the opening frames, and reads in the subtitles.

GB 45438-2025 asks a video to show a label that says the content is AI-generated on its
opening for at least 2 seconds, its text at least 5 % of the frame's shortest side high. The
picture is encoded once and shared by every locale, and a locale can be added later without
encoding it again, so the shared picture carries a language-neutral mark ("AI", the element the
standard itself names, and the filing number when there is one); each locale's subtitle
rendition opens with the label in its language, and each burned-in MP4 (made per locale anyway)
carries the mark and the localized label together. A multilingual card would have to name every
locale the picture will ever ship in, and grow past a phone's width with four scripts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from microdrama.picture.captions import fill_rows
from microdrama.picture.fonts import FontFile, font_for

LABEL_SECONDS = 3.0  # at least 2 s (GB 45438); a player's start-up never eats into the minimum
MIN_TEXT_FRACTION = 0.05  # GB 45438: text height >= 5 % of the shortest side
# What we draw: capitals 6 % of the shortest side high (43 px on a 720-wide frame, 22 px on
# the low rung), a fifth over the minimum, so scaling and x264 never take it under.
TEXT_FRACTION = 0.06
# The filing number is not the label: the standard sets no size for it; 4.5 % keeps a
# licence number such as "(剧)网备字(2026)第00042号" on one line of a phone screen.
FILING_FRACTION = 0.045
LABEL_TOP = 0.18  # fraction of the frame height: under the title, above the captions
MARK_TOP = 0.03
MARK = "AI"
LABELS = {
    "en": "AI-generated content",
    "es": "Contenido generado por IA",
    "pt-BR": "Conteúdo gerado por IA",
    "zh-CN": "本内容由人工智能生成",
}
BOX = (12, 12, 16, 215)
BADGE = (255, 214, 102, 255)
INK = (255, 255, 255, 255)

Overlay = tuple[np.ndarray, int, float, float]  # RGBA strip, frame top, start, end (seconds)


@dataclass(frozen=True)
class Disclosure:
    """What the factory says about itself: the producer named in the AIGC record, the filing or
    licence number shown on the opening card, whether a small AI mark stays in the corner, and
    the propagator fields a platform fills (empty: we only produce)."""

    producer: str = "microdrama"
    filing_number: str = ""
    ai_mark: bool = False
    propagator: str = ""
    propagate_id: str = ""


def label_text(locale: str) -> str:
    """The label in `locale`'s language (English where none is written yet)."""
    return LABELS.get(locale, LABELS["en"])


def label_texts() -> dict[str, str]:
    """Every label text, for the content policy (the label is published text too)."""
    return dict(LABELS)


@lru_cache(maxsize=16)
def font_px(font: FontFile, shortest_side: int, fraction: float = TEXT_FRACTION) -> int:
    """The font size whose capitals ("AI") are at least `fraction` of `shortest_side` high."""
    probe = font.load(100)
    _, top, _, bottom = probe.getbbox(MARK)
    cap = (bottom - top) / 100
    return int(np.ceil(shortest_side * fraction / cap))


def ink_height(font: FontFile, px: int, text: str = MARK) -> int:
    """How high `text` is drawn at `px`, in pixels (what the standard's text height means)."""
    _, top, _, bottom = font.load(px).getbbox(text)
    return bottom - top


def _wrap(text: str, font, limit: float) -> list[str]:
    """Words (or CJK characters) on lines no wider than `limit` pixels."""
    wide = any(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    tokens = list(text) if wide else re.findall(r"\S+\s*|\s+", text)
    return fill_rows(tokens, lambda row: font.getlength(row) <= limit)


def paint_card(
    lines: list[tuple[str, FontFile, float]], width: int, shortest_side: int
) -> np.ndarray:
    """A full-width RGBA strip: the "AI" badge, then each (text, font, text height as a
    fraction of the shortest side) wrapped to the frame, on one dark rounded box."""
    mark_font = font_for("en")
    px = font_px(mark_font, shortest_side)
    pad = px // 3
    rows: list[tuple[str, object, bool]] = [(MARK, mark_font.load(px), True)]
    for text, font_file, fraction in lines:
        font = font_file.load(font_px(font_file, shortest_side, fraction))
        rows += [(line, font, False) for line in _wrap(text, font, width * 0.84)]
    heights = [round(font.size * 1.35) for _, font, _ in rows]
    box_h = sum(heights) + 2 * pad
    strip = Image.new("RGBA", (width, box_h + 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(strip)
    widths = [font.getlength(text) for text, font, _ in rows]
    box_w = max(widths) + 4 * pad
    x0 = (width - box_w) / 2
    draw.rounded_rectangle((x0, 0, x0 + box_w, box_h), radius=pad, fill=BOX)
    y = pad
    for (text, font, badge), w, line_h in zip(rows, widths, heights, strict=True):
        x = (width - w) / 2
        if badge:
            draw.rounded_rectangle(
                (x - pad, y, x + w + pad, y + line_h - pad // 2), radius=pad // 2, fill=BADGE
            )
            draw.text((x, y + pad // 4), text, font=font, fill=BOX)
        else:
            draw.text((x, y + pad // 4), text, font=font, fill=INK)
        y += line_h
    return np.asarray(strip)


def paint_mark(width: int, shortest_side: int) -> np.ndarray:
    """The small persistent corner mark: the badge alone, at the top right."""
    font_file = font_for("en")
    px = font_px(font_file, shortest_side)
    font = font_file.load(px)
    pad = px // 4
    w = font.getlength(MARK)
    strip = Image.new("RGBA", (width, round(px * 1.25) + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(strip)
    right = width - 2 * pad
    draw.rounded_rectangle((right - w - 2 * pad, 0, right, strip.height - 1), radius=pad, fill=BOX)
    draw.text((right - w - pad, pad), MARK, font=font, fill=BADGE)
    return np.asarray(strip)


def opening_overlays(
    disclosure: Disclosure, width: int, height: int, seconds: float, locale: str | None = None
) -> list[Overlay]:
    """The label's strips for a picture of `seconds`: the opening card (the mark, the label in
    `locale`'s language when a locale is given, the filing number when configured) for
    `LABEL_SECONDS`, and the corner mark after it when configured. `locale` None: the shared
    picture, which carries the language-neutral mark only."""
    shortest = min(width, height)
    lines = []
    if locale is not None:
        lines.append((label_text(locale), font_for(locale), TEXT_FRACTION))
    if disclosure.filing_number:
        # a licence number may be written in Chinese: the CJK font draws Latin too
        lines.append((disclosure.filing_number, font_for("zh-CN"), FILING_FRACTION))
    card = paint_card(lines, width, shortest)
    out = [(card, round(height * LABEL_TOP), 0.0, LABEL_SECONDS)]
    if disclosure.ai_mark and seconds > LABEL_SECONDS:
        out.append((paint_mark(width, shortest), round(height * MARK_TOP), LABEL_SECONDS, seconds))
    return out


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    hours, minutes, secs = ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms % 1000:03d}"


def label_vtt(vtt: str, locale: str, filing_number: str = "") -> str:
    """A WebVTT file with the label as its first cue: the opening `LABEL_SECONDS`, at the top
    of the frame (line:10%), so it never covers the dialogue captions at the bottom."""
    header, sep, body = vtt.partition("\n\n")
    text = label_text(locale) + (f"\n{filing_number}" if filing_number else "")
    cue = f"{_stamp(0, '.')} --> {_stamp(LABEL_SECONDS, '.')} line:10% align:center\n{text}"
    return f"{header}\n\n{cue}\n\n{body}" if sep else f"{header}\n\n{cue}\n"


def label_srt(srt: str, locale: str, filing_number: str = "") -> str:
    """An SRT file with the label as its first cue (top of the frame: `{\\an8}`), the others
    renumbered after it."""
    text = label_text(locale) + (f"\n{filing_number}" if filing_number else "")
    cues = [c for c in srt.strip().split("\n\n") if c.strip()]
    out = [f"1\n{_stamp(0, ',')} --> {_stamp(LABEL_SECONDS, ',')}\n{{\\an8}}{text}"]
    for n, cue in enumerate(cues, 2):
        _, _, rest = cue.partition("\n")
        out.append(f"{n}\n{rest}")
    return "\n\n".join(out) + "\n"
