"""The schedules file: one YAML file says what runs at a time of day (see schedules.yaml).

Read when the code location loads; a file that is wrong stops it loading with an error that
names the file, the field and what is wrong with it, because a schedule that silently does not
exist is worse than a code location that says why it cannot start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

KINDS = ("release_slate", "trend_refresh", "audience_report")
AUDIENCE = "audience"  # a slate's genre: the audience model picks each pilot's genre
MAX_COUNT = 100
FIELDS = {"kind", "cron", "timezone", "enabled", "genre", "count", "description"}
NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
CRON_FIELD = re.compile(r"[0-9A-Za-z*/,\-?]+")


class ScheduleFileError(ValueError):
    """What is wrong with the schedules file: `file: field: reason`."""

    def __init__(self, path: Path, field: str, reason: str):
        self.path, self.field, self.reason = path, field, reason
        super().__init__(f"{path}: {field}: {reason}")


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    kind: str  # one of KINDS
    cron: str
    timezone: str = "UTC"
    enabled: bool = False
    genre: str = AUDIENCE  # release_slate only
    count: int = 1  # release_slate only
    description: str = ""


def load_schedule_file(path: Path) -> list[ScheduleSpec]:
    """Every schedule the file declares; none where the file does not exist."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ScheduleFileError(path, "(file)", f"not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("schedules", {}), dict):
        raise ScheduleFileError(path, "schedules", "expected a mapping of name -> schedule")
    unknown = sorted(set(data) - {"schedules"})
    if unknown:
        raise ScheduleFileError(path, unknown[0], "unknown top-level key (expected schedules)")
    return [_spec(path, str(name), entry) for name, entry in (data.get("schedules") or {}).items()]


def _spec(path: Path, name: str, entry: object) -> ScheduleSpec:
    where = f"schedules.{name}"
    if not NAME.fullmatch(name):
        raise ScheduleFileError(path, where, "a name is lower case letters, digits and _")
    if not isinstance(entry, dict):
        raise ScheduleFileError(path, where, "expected a mapping (kind, cron, ...)")
    extra = sorted(set(entry) - FIELDS)
    if extra:
        raise ScheduleFileError(
            path, f"{where}.{extra[0]}", f"unknown field (expected {', '.join(sorted(FIELDS))})"
        )
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ScheduleFileError(path, f"{where}.kind", f"{kind!r}: expected one of {KINDS}")
    cron = entry.get("cron")
    fields = cron.split() if isinstance(cron, str) else []
    if len(fields) != 5 or not all(CRON_FIELD.fullmatch(f) for f in fields):
        raise ScheduleFileError(
            path, f"{where}.cron", f"{cron!r}: expected five cron fields, e.g. '0 20 * * *'"
        )
    timezone = entry.get("timezone", "UTC")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleFileError(
            path, f"{where}.timezone", f"{timezone!r}: not an IANA time zone (e.g. Asia/Shanghai)"
        ) from None
    enabled = entry.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ScheduleFileError(path, f"{where}.enabled", f"{enabled!r}: expected true or false")
    genre, count = entry.get("genre", AUDIENCE), entry.get("count", 1)
    if kind == "release_slate":
        if not isinstance(genre, str) or not genre:
            raise ScheduleFileError(path, f"{where}.genre", "a genre name, or 'audience'")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
            raise ScheduleFileError(
                path, f"{where}.count", f"{count!r}: expected a whole number, 1 to {MAX_COUNT}"
            )
    else:
        for field in ("genre", "count"):
            if field in entry:
                raise ScheduleFileError(path, f"{where}.{field}", "only a release_slate has it")
    return ScheduleSpec(
        name,
        kind,
        " ".join(fields),
        str(timezone),
        enabled,
        genre,
        count,
        str(entry.get("description", "")),
    )
