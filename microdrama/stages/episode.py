"""Where an episode's artifacts live, and what every stage returns.

Each stage builds its artifact folder in a staging directory and swaps it in whole, so a failed
stage never leaves a partial artifact where the last good one was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from microdrama.keys import EpisodeKey
from microdrama.media import Manifest, MediaStore, read_json
from microdrama.quality.gates import (
    Gate,
    GateFailure,
)
from microdrama.words.story import Premise, Script
from microdrama.words.template import GenreTemplate

TEMPLATE_FILE = "template.json"  # a concept episode's own template, beside its premise


T = TypeVar("T")


@dataclass(frozen=True)
class Staged(Generic[T]):
    """A stage's result for one episode: what it made, its manifest, its gates, and notes
    (what a model backend left to the embedded default) for the asset's metadata."""

    made: T
    manifest: Manifest
    gates: list[Gate]
    notes: dict[str, object] = field(default_factory=dict)


def each(items: list[T], make: Callable[[T], Staged]) -> list[Staged | GateFailure]:
    """`make` for every episode of a batch; one refused artifact does not stop the others."""
    out: list[Staged | GateFailure] = []
    for item in items:
        try:
            out.append(make(item))
        except GateFailure as failure:
            out.append(failure)
    return out


@dataclass(frozen=True)
class Episode:
    """Where one partition's artifacts live."""

    store: MediaStore
    key: EpisodeKey

    @property
    def genre(self) -> str:
        return self.key.genre

    def dir(self, artifact: str) -> Path:
        """Where the artifact is built and read locally."""
        return self.store.artifact_dir(self.key, artifact)

    def fetch(self, artifact: str) -> Path:
        """The artifact's folder, up to date with the object store when there is one."""
        return self.store.fetch(self.dir(artifact))

    def premise(self) -> Premise:
        return Premise(**read_json(self.fetch("premise") / "premise.json"))

    def previous_premise(self) -> Premise | None:
        """The premise already made for this slot, if any."""
        path = self.fetch("premise") / "premise.json"
        return Premise(**read_json(path)) if path.exists() else None

    def own_template(self) -> GenreTemplate | None:
        """The template a concept genre's premise wrote for this episode alone, if any."""
        path = self.fetch("premise") / TEMPLATE_FILE
        return GenreTemplate.model_validate(read_json(path)) if path.exists() else None

    def script(self) -> Script:
        return Script.from_dict(read_json(self.fetch("script") / "script.json"))

    def keyframes(self) -> list[Path]:
        return sorted(self.fetch("frames").glob("shot_*.png"))
