"""The content policy: per-locale blocklists an operator can extend, one term per line.

A hit anywhere in an episode's text (title, logline, topic, dialogue, any locale) blocks the
episode. Text and terms are NFKC-normalized and case-folded, so full-width or capitalized
spellings do not slip through; spaced scripts match whole words, CJK terms match anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from microdrama.words.text import is_wide


class PolicyError(ValueError):
    pass


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _pattern(term: str) -> re.Pattern[str]:
    escaped = re.escape(term)
    if any(is_wide(char) for char in term):
        return re.compile(escaped)
    return re.compile(rf"(?<!\w){escaped}(?!\w)")


@dataclass(frozen=True)
class ContentPolicy:
    """locale -> blocked terms; an empty policy blocks nothing."""

    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> ContentPolicy:
        """Read `<locale>.txt` files: one term per line, '#' starts a comment."""
        if not directory.exists():
            return cls()
        terms = {}
        for path in sorted(directory.glob("*.txt")):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError as exc:
                raise PolicyError(f"{path}: not UTF-8 text ({exc.reason})") from None
            found = [_normal(line.split("#", 1)[0]) for line in lines]
            terms[path.stem] = tuple(term for term in found if term)
        return cls(terms)

    def size(self, locale: str) -> int:
        return len(self.terms.get(locale, ()))

    def hits(self, text: str, locale: str) -> list[str]:
        """The blocked terms of `locale` that occur in `text`."""
        normal = _normal(text)
        return [t for t in self.terms.get(locale, ()) if _pattern(t).search(normal)]
