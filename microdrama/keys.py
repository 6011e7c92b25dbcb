"""Episode keys: one partition per real episode, readable by a person, safe as a path segment.

A key is `<genre>-<series>-<episode>`, e.g. `revenge-0042-03`: the third episode of the genre's
42nd series. The genre comes first, so the Dagster UI's wildcard `revenge-*` selects a genre and
`revenge-0042-*` a series. Numbers are zero-padded (4 and 2 digits) and grow wider when they
must, so every key parses back, however long the factory runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_EPISODE = re.compile(r"^(?P<genre>[a-z0-9][a-z0-9_-]*?)-(?P<series>\d{4,})-(?P<number>\d{2,})$")


class UnsafeKeyError(ValueError):
    """A genre or episode key that could escape the media root or break a partition key."""


def check_key(kind: str, value: str) -> str:
    """Return `value` if it is a safe key (lowercase letters, digits, '-' and '_'), else raise."""
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise UnsafeKeyError(
            f"{kind} key {value!r} is not allowed: use 1-64 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit (no path separators, no '..')"
        )
    return value


@dataclass(frozen=True, order=True)
class EpisodeKey:
    """Which episode of which series of which genre."""

    genre: str
    series: int
    number: int

    def __post_init__(self) -> None:
        check_key("genre", self.genre)
        if self.series < 1 or self.number < 1:
            raise UnsafeKeyError(f"series and episode numbers start at 1, got {self}")

    @property
    def series_id(self) -> str:
        """The series as a person names it, e.g. 'revenge-0042'."""
        return f"{self.genre}-{self.series:04d}"

    def __str__(self) -> str:
        return f"{self.series_id}-{self.number:02d}"

    def next(self) -> EpisodeKey:
        """The series' next episode."""
        return EpisodeKey(self.genre, self.series, self.number + 1)

    @classmethod
    def parse(cls, key: str) -> EpisodeKey:
        """The key's parts; refuses anything that is not a safe `<genre>-<series>-<episode>`."""
        check_key("episode", key)
        found = _EPISODE.fullmatch(key)
        if found is None:
            raise UnsafeKeyError(
                f"episode key {key!r} is not <genre>-<series>-<episode>, e.g. 'revenge-0042-03'"
            )
        return cls(found["genre"], int(found["series"]), int(found["number"]))


def parse_series(series_id: str) -> tuple[str, int]:
    """('revenge', 42) from 'revenge-0042'."""
    key = EpisodeKey.parse(f"{series_id}-01")
    return key.genre, key.series
