"""Character-level facts about text that captions, the policy and the gates agree on."""

from __future__ import annotations

import re
import unicodedata

_REPEATS = re.compile(r"(.{2,}?)\1\1", re.IGNORECASE)
CAPTION_LINES = 3
LINE_COLUMNS = {"wide": 32, "spaced": 42}  # 16 CJK characters, or 42 Latin ones, per line
CAPTION_ROOM = 0.7  # of a caption's columns: translations run longer than the English line


def caption_columns(locale: str) -> int:
    """The most screen columns a caption may take in `locale`'s script."""
    script = "wide" if locale.split("-")[0] in ("zh", "ja", "ko") else "spaced"
    return CAPTION_LINES * LINE_COLUMNS[script]


def fits_a_caption(text: str) -> bool:
    """Whether a source line leaves room for its translations in every locale's caption."""
    return display_width(text) <= round(CAPTION_ROOM * caption_columns("en"))


def is_wide(char: str) -> bool:
    """East Asian wide or full-width: one such character takes two columns on screen."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def display_width(text: str) -> int:
    """Screen columns: wide (CJK) characters count two, everything else one."""
    return sum(2 if is_wide(char) else 1 for char in text)


def one_line(text: str) -> str:
    """Collapse newlines and runs of whitespace, which would break a subtitle cue."""
    return " ".join(text.split())


def stuck(text: str) -> bool:
    """Three copies of a piece in a row ("frofrofro", "its its its"): a model decoding in a loop."""
    return _REPEATS.search(text) is not None


def unprintable(text: str) -> bool:
    """Control, private-use or unassigned characters: nothing a caption or a voice should get."""
    return any(unicodedata.category(c) in ("Cc", "Co", "Cn") for c in text)
