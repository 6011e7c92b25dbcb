"""Concept features: what the audience model learns over, as columns of a design matrix.

A concept is its genre, the trope of each beat, the cast's archetypes and the hook's setting;
an engagement row adds its locale. Every feature is one indicator column whose value is the
feature group's prior scale: the model's prior is one isotropic Gaussian, so a column scaled
by s gives that feature an effect whose prior spread is s (in logits). Tropes, archetypes and
settings sit on top of their genre with a narrower spread, which is how a new trope borrows
from its genre: with no evidence its effect is 0 and the genre's level is the prediction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microdrama.concepts.library import Library
from microdrama.words.template import BEATS

PRIOR_SCALE = {  # feature group -> the prior spread of its effects, in logits
    "base": 2.0,
    "genre": 1.0,
    "trope": 0.5,
    "archetype": 0.3,
    "setting": 0.3,
    "locale": 0.5,
}


@dataclass(frozen=True)
class ConceptFeatures:
    """The part of a concept the audience sees; tropes are empty for a fixed-format genre."""

    genre: str
    tropes: Mapping[str, str]  # beat -> trope
    archetypes: Mapping[str, str]  # role -> archetype
    setting: str

    @classmethod
    def of_concept(cls, concept: Mapping) -> ConceptFeatures:
        """From a premise's concept (`Concept.to_dict()`)."""
        places = concept.get("places", {})
        return cls(concept["genre"], concept["tropes"], concept["archetypes"], places["hook"])

    @classmethod
    def of_row(cls, row: Mapping) -> ConceptFeatures:
        """From a catalog row (its concept columns; a fixed-format genre's are empty or null)."""

        def text(name: str) -> str:
            found = row.get(name)
            return found if isinstance(found, str) else ""

        tropes = {beat: text(beat) for beat in BEATS if text(beat)}
        archetypes = json.loads(text("archetypes")) if text("archetypes") else {}
        return cls(row["genre"], tropes, archetypes, text("setting"))

    def names(self, locale: str | None = None) -> list[str]:
        found = [f"genre:{self.genre}"]
        found += [f"trope:{trope}" for trope in self.tropes.values()]
        found += [f"archetype:{role}={kind}" for role, kind in sorted(self.archetypes.items())]
        found += [f"setting:{self.setting}"] if self.setting else []
        return found + ([f"locale:{locale}"] if locale else [])

    def to_json(self) -> str:
        return json.dumps(
            {
                "genre": self.genre,
                "tropes": dict(self.tropes),
                "archetypes": dict(self.archetypes),
                "setting": self.setting,
            },
            sort_keys=True,
            ensure_ascii=False,
        )


def group(name: str) -> str:
    return name.split(":", 1)[0]


class Vocabulary:
    """Feature name -> column; `base` (the intercept) is column 0."""

    def __init__(self, names: Iterable[str]):
        self.names = ["base:all", *sorted(set(names) - {"base:all"})]
        self.column = {name: n for n, name in enumerate(self.names)}
        self.scale = np.array([PRIOR_SCALE[group(name)] for name in self.names])

    @classmethod
    def of(cls, library: Library, locales: Iterable[str], seen: Iterable[str] = ()) -> Vocabulary:
        """Every feature the library can produce, the locales served and any seen in data."""
        names = {f"locale:{loc}" for loc in locales} | set(seen)
        for genre, spec in library.genres.items():
            names.add(f"genre:{genre}")
            for role, cast in spec.cast.items():
                names |= {f"archetype:{role}={kind}" for kind in cast.archetypes}
            names |= {f"setting:{b}" for b in spec.backdrops}
            names |= {f"trope:{t}" for beat in BEATS for t in library.tropes_for(genre, beat)}
        return cls(names)

    def __len__(self) -> int:
        return len(self.names)

    def matrix(self, rows: Iterable[list[str]]) -> np.ndarray:
        """One row per feature list; names outside the vocabulary add nothing (prior 0)."""
        rows = list(rows)
        out = np.zeros((len(rows), len(self.names)))
        out[:, 0] = self.scale[0]
        for n, names in enumerate(rows):
            columns = [self.column[name] for name in names if name in self.column]
            out[n, columns] = self.scale[columns]
        return out


def engagement_features(rows: pd.DataFrame) -> list[list[str]]:
    """The feature names of engagement rows that carry catalog concept columns and a locale."""
    return [ConceptFeatures.of_row(row).names(row["locale"]) for row in rows.to_dict("records")]
