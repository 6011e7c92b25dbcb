"""Partition keys become path segments, so they are checked before they touch the disk."""

import re

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


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


def episode_key(number: int) -> str:
    """The canonical episode slot name, e.g. 42 -> 'e0042'."""
    return f"e{number:04d}"


def next_episode(existing: list[str]) -> str:
    """The slot after the highest existing one ('e0007' after 'e0006'), 'e0001' if none."""
    numbers = [int(k[1:]) for k in existing if k[:1] == "e" and k[1:].isdigit()]
    return episode_key(max(numbers, default=0) + 1)
