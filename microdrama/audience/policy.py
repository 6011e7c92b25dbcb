"""Choosing what to make next: Thompson sampling over candidate concepts, with a floor.

Thompson sampling (bayesianbandits' `ThompsonSampling` over the model's shared learner) picks
the candidate whose posterior draw is best, so a concept is made about as often as it is
likely to be the best. With probability EXPLORATION_FLOOR the pick is instead uniform over the
candidates that carry a genre or trope the model has no evidence on yet (over all candidates
when none does), so new tropes are tried even when the posterior is confident. Every choice
carries the probability the policy gave it, for off-policy evaluation: Thompson sampling's is
estimated from DRAWS posterior draws. The trend-heat and uniform policies are the baselines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from bayesianbandits import Arm, FunctionArmFeaturizer, LipschitzContextualAgent, ThompsonSampling

from microdrama.audience.features import ConceptFeatures, group
from microdrama.audience.model import AudienceModel

EXPLORATION_FLOOR = 0.05
DRAWS = 200
EXPLORED = ("genre", "trope")  # feature groups whose untried members the floor seeks out


@dataclass(frozen=True)
class Choice:
    index: int  # into the candidates
    probabilities: np.ndarray  # the policy's probability of each candidate
    reason: str

    @property
    def propensity(self) -> float:
        return float(self.probabilities[self.index])


def untried(model: AudienceModel, candidates: Sequence[ConceptFeatures]) -> list[int]:
    """Candidates with a genre or trope the model has never seen evidence on."""
    return [
        n
        for n, c in enumerate(candidates)
        if any(group(name) in EXPLORED and not model.seen.get(name) for name in c.names())
    ]


def thompson(
    model: AudienceModel,
    candidates: Sequence[ConceptFeatures],
    rng: np.random.Generator,
    floor: float = EXPLORATION_FLOOR,
) -> Choice:
    design = model.vocabulary.matrix([c.names() for c in candidates])
    n = len(candidates)
    agent = LipschitzContextualAgent(
        arms=[Arm(token) for token in range(n)],
        policy=ThompsonSampling(),
        arm_featurizer=FunctionArmFeaturizer(lambda _, tokens: design[list(tokens)].T[None]),
        learner=model.learner,
        random_seed=rng,
    )
    wins = np.bincount(model.learner.sample(design, size=DRAWS).argmax(axis=1), minlength=n)
    new = untried(model, candidates)
    explore = np.zeros(n)
    explore[new or list(range(n))] = 1 / len(new or range(n))
    if rng.random() < floor:
        pick = int(rng.choice(new or range(n)))
        reason = "explore: " + ("a genre or trope with no evidence yet" if new else "uniform")
    else:
        pick = int(agent.pull(np.ones((1, 1)))[0])
        reason = f"thompson: best posterior draw of {n} candidates"
    wins[pick] += 1  # the pull is one more draw of the same posterior
    probabilities = (1 - floor) * wins / wins.sum() + floor * explore
    return Choice(pick, probabilities, reason)


def uniform(candidates: Sequence[ConceptFeatures], rng: np.random.Generator) -> Choice:
    n = len(candidates)
    return Choice(int(rng.integers(n)), np.full(n, 1 / n), "uniform")


def trend_heat(
    candidates: Sequence[ConceptFeatures], heat: Mapping[str, float], rng: np.random.Generator
) -> Choice:
    """The release cadence before the audience loop: a genre by trend heat, then any concept."""
    genres = np.array([c.genre for c in candidates])
    present = sorted(set(genres))
    weight = np.array([max(heat.get(g, 0.0), 1e-3) for g in present])
    share = dict(zip(present, weight / weight.sum(), strict=True))
    counts = {g: int((genres == g).sum()) for g in present}
    probabilities = np.array([share[g] / counts[g] for g in genres])
    pick = int(rng.choice(len(candidates), p=probabilities))
    return Choice(pick, probabilities, f"trend heat: {genres[pick]}")
