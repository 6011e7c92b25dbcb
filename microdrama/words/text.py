"""Character-level facts about text that captions, the policy and the gates agree on."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

_REPEATS = re.compile(r"(.{2,}?)\1\1", re.IGNORECASE)
CAPTION_LINES = 3  # rows a spoken line may take in all; more than CUE_LINES: split into cues
CUE_LINES = 2  # rows one cue may show at once (Netflix, BBC, EBU-TT-D guidance)
LINE_COLUMNS = {"wide": 32, "spaced": 42}  # 16 CJK characters, or 42 Latin ones, per line
# Reading speed, characters a second (spaces and punctuation counted, as subtitle editors
# count them), from Netflix's timed-text style guides for adult programmes: 20 for English,
# 17 for Spanish, Brazilian Portuguese and the other Latin-script guides, 9 for Simplified
# Chinese. Micro-drama viewers are adults, and a dub's captions cannot run slower than its
# speech: espeak-ng's voices speak 13-16 characters a second.
READING_CPS = {"wide": 9.0, "spaced": 17.0}
READING_CPS_BY_LANGUAGE = {"en": 20.0}
MIN_CUE_SECONDS = 0.8  # a cue shorter than this flashes (Netflix asks for 5/6 s)
CAPTION_ROOM = 0.7  # of a caption's columns: translations run longer than the English line


def script_kind(locale: str) -> str:
    """'wide' for the CJK scripts (two columns a character), else 'spaced'."""
    return "wide" if locale.split("-")[0] in ("zh", "ja", "ko") else "spaced"


RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ku", "sd", "ug"}


def is_rtl(locale: str) -> bool:
    """Whether `locale`'s script is written right to left: its captions' base direction."""
    return locale.split("-")[0] in RTL_LANGUAGES


FSI, PDI = "\u2068", "\u2069"  # Unicode's first-strong isolate and its end (UAX #9)


def right_to_left(text: str) -> bool:
    """Whether `text` holds a right-to-left letter (Arabic, Hebrew and their kin)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def isolate(text: str, part: str) -> str:
    """`text` with each `part` of the other direction wrapped in a bidi isolate, as HTML's
    <bdi> does: an Arabic topic in an English title keeps its own order inside and leaves the
    digits and words around it where the sentence puts them."""
    if not part or not right_to_left(part) or part not in text:
        return text
    return text.replace(part, f"{FSI}{part}{PDI}")


def caption_columns(locale: str) -> int:
    """The most screen columns one spoken line may take in `locale`'s script (split into
    cues of CUE_LINES rows each)."""
    return CAPTION_LINES * LINE_COLUMNS[script_kind(locale)]


def line_columns(locale: str) -> int:
    """The most screen columns one caption row may take in `locale`'s script."""
    return LINE_COLUMNS[script_kind(locale)]


def reading_cps(locale: str) -> float:
    """The most characters a second a cue may ask a viewer of `locale` to read."""
    language = locale.split("-")[0]
    return READING_CPS_BY_LANGUAGE.get(language, READING_CPS[script_kind(locale)])


def reading_chars(text: str) -> int:
    """The characters a reader reads in a cue: all of them but runs of whitespace, which
    count once (one space between words)."""
    return len(one_line(text))


def caption_tokens(text: str) -> list[str]:
    """Words (with the space after them as its own token) for spaced scripts; single
    characters for CJK, which breaks anywhere."""
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


def wrap_columns(text: str, columns: int) -> list[str]:
    """Rows of at most `columns` screen columns, broken between words (anywhere in CJK); a
    word wider than a row stays whole, on its own row."""
    rows, current = [], ""
    for token in caption_tokens(text):
        trial = current + token
        if current.strip() and display_width(trial.strip()) > columns:
            rows.append(current.strip())
            current = token.lstrip()
        else:
            current = trial
    return [*rows, current.strip()] if current.strip() else rows


class Layout(Protocol):
    """How captions break into rows on screen: the burned-in painter's (its font's pixels and
    the script's columns), or a player's, by columns."""

    def wrap(self, text: str) -> list[str]: ...

    def fits(self, row: str) -> bool: ...


class ColumnLayout:
    """Caption rows by screen columns alone: the layout of a sidecar subtitle, which the
    player draws (the burned-in painter measures its own font's pixels too)."""

    def __init__(self, columns: int):
        self.columns = columns

    def wrap(self, text: str) -> list[str]:
        return wrap_columns(text, self.columns)

    def fits(self, row: str) -> bool:
        return display_width(row) <= self.columns


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
