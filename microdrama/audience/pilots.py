"""The next pilot: candidates from every live genre, one chosen by the policy, and its record.

A concept genre offers CANDIDATES_PER_GENRE pilots of its next series (the same cast and the
same sampler the premise runs, each with another trope combination); a fixed-format genre
offers itself. The chosen one is minted with its tropes, so the premise makes exactly the
concept the policy chose.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from microdrama.audience.decisions import Decision
from microdrama.audience.features import ConceptFeatures, Vocabulary
from microdrama.audience.model import AudienceModel
from microdrama.audience.policy import Choice, thompson
from microdrama.audience.tables import AudienceTables
from microdrama.concepts.library import Library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey
from microdrama.words.template import BEATS

CANDIDATES_PER_GENRE = 5


@dataclass(frozen=True)
class Candidate:
    features: ConceptFeatures
    tropes: tuple[str, ...] | None  # None: a fixed-format genre

    @property
    def genre(self) -> str:
        return self.features.genre


def candidates(
    library: Library,
    space: ConceptSpace,
    genres: list[str],
    next_series: Callable[[str], int],
    rng: random.Random,
    per_genre: int = CANDIDATES_PER_GENRE,
) -> list[Candidate]:
    found = []
    for genre in sorted(genres):
        if genre not in library.genres:
            found.append(Candidate(ConceptFeatures(genre, {}, {}, ""), None))
            continue
        key = EpisodeKey(genre, next_series(genre), 1)
        bible = draw_bible(library, key)
        combos = space.combos(genre)
        for combo in rng.sample(combos, min(per_genre, len(combos))):
            concept = space.pilot(key, bible, combo).to_dict()
            found.append(Candidate(ConceptFeatures.of_concept(concept), combo))
    return found


def current_model(
    tables: AudienceTables, library: Library, locales: list[str], genres: list[str]
) -> AudienceModel:
    """The audience model as last saved, or the prior where none was made yet."""
    found = tables.model()
    if found is not None:
        return found
    return AudienceModel.prior(Vocabulary.of(library, locales, [f"genre:{g}" for g in genres]))


def next_pilot(
    model: AudienceModel,
    library: Library,
    space: ConceptSpace,
    genres: list[str],
    next_series: Callable[[str], int],
    seed: int,
) -> tuple[Candidate, Choice, list[dict]]:
    """The candidates of `genres` and the one the policy picks (`seed` makes it repeatable)."""
    offered = candidates(library, space, genres, next_series, random.Random(seed))
    return choose(model, offered, seed)


def choose(
    model: AudienceModel, offered: list[Candidate], seed: int
) -> tuple[Candidate, Choice, list[dict]]:
    """The policy's pick, its choice and the candidates as the decisions log keeps them."""
    choice = thompson(model, [c.features for c in offered], np.random.default_rng(seed))
    expected = model.mean([c.features.names() for c in offered])
    logged = [
        {
            "features": c.features.to_json(),
            "expected": float(e),
            "probability": float(p),
            "chosen": n == choice.index,
        }
        for n, (c, e, p) in enumerate(zip(offered, expected, choice.probabilities, strict=True))
    ]
    return offered[choice.index], choice, logged


def pilot_decision(
    key: str, picked: Candidate, choice: Choice, logged: list[dict], decided_at: str
) -> Decision:
    tropes = " + ".join(picked.features.tropes[b] for b in BEATS if b in picked.features.tropes)
    return Decision(
        decided_at=decided_at,
        kind="pilot",
        key=key,
        series=EpisodeKey.parse(key).series_id,
        genre=picked.genre,
        policy="thompson",
        reason=f"{choice.reason}; {tropes or picked.genre}",
        propensity=choice.propensity,
        expected=logged[choice.index]["expected"],
        candidates=logged,
    )
