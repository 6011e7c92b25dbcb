"""The next pilot: candidates from every live genre, one chosen by the policy, and its record.

A concept genre offers CANDIDATES_PER_GENRE pilots of its next series (the same cast and the
same sampler the premise runs, each with another trope combination); a fixed-format genre
offers itself. The chosen one is minted with its tropes, so the premise makes exactly the
concept the policy chose.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from microdrama.audience.decisions import Decision, DecisionLog
from microdrama.audience.features import ConceptFeatures, Vocabulary
from microdrama.audience.model import AudienceModel
from microdrama.audience.policy import Choice, thompson
from microdrama.audience.tables import AudienceTables
from microdrama.concepts.library import Library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.concepts.spread import WINDOW, spread
from microdrama.keys import EpisodeKey
from microdrama.words.template import BEATS

CANDIDATES_PER_GENRE = 5
EVIDENCE_ROWS = 20  # engagement rows naming a trope before the model may bring it back crowded


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
    recent: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
    with_evidence: Callable[[str], bool] = lambda trope: False,
) -> list[Candidate]:
    """Each genre's candidates, drawn from the combinations `spread` allows after the genre's
    `recent` pilots (beat -> trope, newest first), so the feed does not repeat itself."""
    found = []
    for genre in sorted(genres):
        if genre not in library.genres:
            found.append(Candidate(ConceptFeatures(genre, {}, {}, ""), None))
            continue
        key = EpisodeKey(genre, next_series(genre), 1)
        bible = draw_bible(library, key)
        combos = spread(space.combos(genre), (recent or {}).get(genre, []), with_evidence)
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
    recent: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
) -> tuple[Candidate, Choice, list[dict]]:
    """The candidates of `genres` and the one the policy picks (`seed` makes it repeatable);
    `recent`: each genre's last pilots, to spread from. A crowded trope comes back only where
    the model has seen it in `EVIDENCE_ROWS` rows of engagement: then it may prefer it."""

    def with_evidence(trope: str) -> bool:
        return model.seen[f"trope:{trope}"] >= EVIDENCE_ROWS

    rng = random.Random(seed)
    offered = candidates(
        library, space, genres, next_series, rng, recent=recent, with_evidence=with_evidence
    )
    # a cold start's picks cover the genres and tropes the last pilots have not tried
    batch = [ConceptFeatures(g, dict(t), {}, "") for g, had in (recent or {}).items() for t in had]
    return choose(model, offered, seed, batch)


def recent_pilots(
    log: DecisionLog, genres: list[str], window: int = WINDOW
) -> dict[str, list[dict[str, str]]]:
    """Each genre's last `window` pilots as the decisions log has them (beat -> trope, newest
    first): one query per genre that walks back from the newest decision only until it has
    them, so a tick costs the same however long the log grows."""
    c = log.table.c
    out = {}
    for genre in genres:
        query = (
            sa.select(c.candidates)
            .where(c.kind == "pilot", c.genre == genre)
            .order_by(c.id.desc())
            .limit(window)
        )
        with log.engine.connect() as conn:
            rows = [json.loads(r[0]) for r in conn.execute(query)]
        out[genre] = [
            json.loads(chosen["features"])["tropes"]
            for found in rows
            for chosen in found
            if chosen.get("chosen")
        ]
    return out


def choose(
    model: AudienceModel,
    offered: list[Candidate],
    seed: int,
    batch: Sequence[ConceptFeatures] = (),
) -> tuple[Candidate, Choice, list[dict]]:
    """The policy's pick, its choice and the candidates as the decisions log keeps them;
    `batch`: the concepts released since the model last learned (see `policy.thompson`)."""
    rng = np.random.default_rng(seed)
    choice = thompson(model, [c.features for c in offered], rng, batch=batch)
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
