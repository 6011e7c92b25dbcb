"""A release: what the factory decided to make in one episode slot, and why.

Minting a key (the release cadence, the trend sensor, `microdrama render`) records a release:
the episode's seed, its trend topic and the versions of the inputs it was made from. The
premise is made from it. Its version is a digest of what it decides, so when an input changes
(a template is edited) a new release version marks exactly the episodes that used it as stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from microdrama.keys import EpisodeKey
from microdrama.trends.feed import topic_problem


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Release:
    key: str
    seed: int
    topic: str | None  # None: the premise picks a hot topic from the trend feed
    minted_at: str  # ISO 8601, UTC
    reason: str
    inputs: dict[str, str] = field(default_factory=dict)  # input -> content hash
    tropes: list[str] | None = None  # a concept pilot's trope per beat, where a policy chose it

    def __post_init__(self) -> None:
        EpisodeKey.parse(self.key)
        problem = None if self.topic is None else topic_problem(self.topic)
        if problem:  # a topic reaches captions, voices and prompts
            raise ValueError(f"release topic: {problem}")

    @property
    def episode(self) -> EpisodeKey:
        return EpisodeKey.parse(self.key)

    @property
    def day(self) -> str:
        """The UTC day the slot was minted: the catalog and the gallery file episodes under it."""
        return self.minted_at[:10]

    @property
    def version(self) -> str:
        """Digest of what this release decides (not when or why), as a Dagster data version."""
        decided = {"key": self.key, "seed": self.seed, "topic": self.topic, "inputs": self.inputs}
        if self.tropes is not None:  # absent from the releases made before policies chose
            decided["tropes"] = self.tropes
        text = json.dumps(decided, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_inputs(self, **inputs: str) -> Release:
        return replace(self, inputs={**self.inputs, **inputs})


def default_seed(key: EpisodeKey) -> int:
    """A stable seed per episode, so re-rendering an unreleased slot reproduces it."""
    return int(hashlib.sha256(str(key).encode()).hexdigest()[:8], 16)
