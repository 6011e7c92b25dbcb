"""Subtitles: SRT/VTT sidecars and burned-in captions drawn with PIL.

Captions are drawn as pixels, never passed through an ffmpeg filter string, so quotes,
colons, backslashes, percent signs and any script render literally.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from microdrama.picture.fonts import FontFile
from microdrama.words.text import is_wide, one_line


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


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


def _tokens(text: str) -> list[str]:
    """Words for spaced scripts; single characters for CJK, which breaks anywhere."""
    tokens, word = [], ""
    for char in one_line(text):
        if is_wide(char):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        elif char == " ":
            if word:
                tokens.append(word)
            tokens.append(" ")
            word = ""
        else:
            word += char
    return [*tokens, word] if word else tokens


class CaptionPainter:
    """Draw a caption as an RGBA strip the width of the frame."""

    def __init__(self, font: FontFile, width: int, size: int):
        self.font = font.load(size)
        self.width, self.size = width, size

    def wrap(self, text: str) -> list[str]:
        limit = self.width * 0.86
        lines, current = [], ""
        for token in _tokens(text):
            trial = current + token
            if current.strip() and self.font.getlength(trial.strip()) > limit:
                lines.append(current.strip())
                current = token.lstrip()
            else:
                current = trial
        if current.strip():
            lines.append(current.strip())
        return lines

    def paint(self, text: str, color: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
        lines = self.wrap(text)
        line_h = round(self.size * 1.3)
        pad = self.size // 2
        if not lines:  # nothing to show: a transparent strip, no box
            return np.zeros((2 * pad, self.width, 4), np.uint8)
        strip = Image.new("RGBA", (self.width, line_h * len(lines) + 2 * pad), (0, 0, 0, 0))
        draw = ImageDraw.Draw(strip)
        widths = [self.font.getlength(line) for line in lines]
        box_w = max(widths) + 2 * pad
        x0 = (self.width - box_w) / 2
        draw.rounded_rectangle(
            (x0, 0, x0 + box_w, strip.height - 1), radius=pad, fill=(0, 0, 0, 140)
        )
        for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
            draw.text(
                ((self.width - w) / 2, pad + i * line_h),
                line,
                font=self.font,
                fill=(*color, 255),
                stroke_width=max(2, self.size // 14),
                stroke_fill=(0, 0, 0, 255),
            )
        return np.asarray(strip)
