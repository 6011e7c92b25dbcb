"""Retention: the Dagster instance keeps a live window of episodes; older ones are archived.

Archiving takes an episode's key out of the instance and nothing else: its media, catalog row
and gallery card stay, and `lineage.json` in its folder keeps a summary of what Dagster knew
(each asset's last materialization: run, time, data and code version). Rendering an archived
episode again brings its key back; the same file records that too, so whether an episode is
live or archived is read from its folder alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore

LINEAGE = "lineage.json"
DEFAULT_RETENTION = "10000"  # episodes: ten days or so at one episode every 90 seconds
_POLICY = re.compile(r"^(?P<count>\d+)$|^(?P<days>\d+(\.\d+)?)d$")


class RetentionError(ValueError):
    pass


@dataclass(frozen=True)
class Retention:
    """Keep at most `count` episodes, or those materialized within `days` (exactly one is set)."""

    count: int | None = None
    days: float | None = None

    @classmethod
    def parse(cls, text: str) -> Retention:
        found = _POLICY.fullmatch(text.strip())
        if found is None or (found["count"] is not None and int(found["count"]) < 1):
            raise RetentionError(
                f"MICRODRAMA_RETENTION={text!r}: use a number of episodes (10000) or of days (14d)"
            )
        if found["count"] is not None:
            return cls(count=int(found["count"]))
        return cls(days=float(found["days"]))

    def __str__(self) -> str:
        return f"{self.count} episodes" if self.count is not None else f"{self.days:g} days"


def _now() -> str:
    """To the microsecond: an archive and a restore in the same second stay ordered."""
    return datetime.now(UTC).isoformat()


def _history(store: MediaStore, key: EpisodeKey) -> dict:
    found = store.read_file(store.episode_dir(key) / LINEAGE)
    return json.loads(found) if found else {"archived": [], "restored": []}


def _save(store: MediaStore, key: EpisodeKey, history: dict) -> None:
    text = json.dumps(history, indent=2, ensure_ascii=False, sort_keys=True)
    store.write_file(store.episode_dir(key) / LINEAGE, text.encode())


def record_archive(store: MediaStore, key: EpisodeKey, assets: dict[str, dict]) -> None:
    """Append an archive event with the lineage summary of each asset (nothing is removed)."""
    history = _history(store, key)
    history["archived"].append({"at": _now(), "assets": assets})
    _save(store, key, history)


def record_restore(store: MediaStore, key: EpisodeKey) -> None:
    """Append a restore event: the episode's key is back in the instance."""
    history = _history(store, key)
    if history["archived"]:
        history["restored"].append({"at": _now()})
        _save(store, key, history)


def episode_status(store: MediaStore, key: EpisodeKey) -> str:
    """'archived' if the episode's last archive came after its last restore, else 'live'."""
    history = _history(store, key)
    archived = max((e["at"] for e in history["archived"]), default="")
    restored = max((e["at"] for e in history["restored"]), default="")
    return "archived" if archived and archived >= restored else "live"
