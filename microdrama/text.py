"""Character-level facts about text that captions, the policy and the gates agree on."""

from __future__ import annotations

import unicodedata


def is_wide(char: str) -> bool:
    """East Asian wide or full-width: one such character takes two columns on screen."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def display_width(text: str) -> int:
    """Screen columns: wide (CJK) characters count two, everything else one."""
    return sum(2 if is_wide(char) else 1 for char in text)


def one_line(text: str) -> str:
    """Collapse newlines and runs of whitespace, which would break a subtitle cue."""
    return " ".join(text.split())
