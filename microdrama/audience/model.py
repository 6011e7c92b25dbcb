"""The audience model: a Bayesian logistic regression of completion rate on concept features.

Kept by bayesianbandits' `BayesianGLM` (Laplace approximation, logit link) and updated online:
each update absorbs only the new daily figures, so its cost is the new rows, not the history.
Between updates the posterior forgets with time (`StabilizedForgetting`: precision decays by
a half-life towards the prior, never below it), so after a drift in taste new evidence
outweighs old within weeks. A row is one episode, locale and day; its weight saturates at
EVIDENCE_CAP plays, since episodes of one concept differ by more than binomial noise and a
hit's million plays must not make the model certain about its whole concept.

Continuation (the share of an episode's viewers who start the next one) is a second logistic
regression over the same features, prior and scales, so a series' continuation borrows from
its tropes and genre exactly as its completion does. It is fit from per-episode totals (the
episodes still in the summary, a bounded table), since platforms attribute starts to the play
that led to them and report them in one lump once the next episode is out: a day's figure
means nothing alone, an episode's total does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from bayesianbandits import BayesianGLM, LaplaceApproximator, StabilizedForgetting

from microdrama.audience.features import Vocabulary, engagement_features
from microdrama.audience.feed import STARTS

HALF_LIFE_DAYS = 14.0
WINDOW_DAYS = 90  # evidence older than this weighs under 1 % at the default half-life
EVIDENCE_CAP = 200.0
INTERVAL = 0.9


def evidence(increments: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """One row per (episode, locale, day) with plays, completions and concept features.

    `increments` are daily figures (any platform); `catalog` the episodes' catalog rows.
    Episodes without a row are left out: their concept is unknown.
    """
    increments = increments if STARTS in increments else increments.assign(**{STARTS: np.nan})
    totals = increments.groupby(["episode", "locale", "day"], as_index=False).agg(
        plays=("plays", "sum"),
        completions=("completions", "sum"),
        **{STARTS: (STARTS, lambda s: s.sum(min_count=1))},
    )
    totals = totals[(totals["plays"] > 0) | (totals[STARTS] > 0)]  # starts may come late, alone
    rows = totals.merge(catalog.drop(columns=["day"]), left_on="episode", right_on="key")
    columns = ["episode", "series", "genre", "locale", "day", "plays", "completions", STARTS]
    return rows[columns].assign(features=engagement_features(rows))


def _learner(size: int, seed: int) -> BayesianGLM:
    """A logistic regression at its prior: every concept alike."""
    learner = BayesianGLM(alpha=1.0, approximator=LaplaceApproximator(n_iter=20), random_state=seed)
    # the library samples only after a fit: one weightless row leaves the prior as it is
    learner.fit(np.zeros((1, size)), np.array([0.5]), np.array([0.0]))
    return learner


def capped(plays: np.ndarray) -> np.ndarray:
    """Evidence weight of `plays`: saturating at EVIDENCE_CAP."""
    return plays * EVIDENCE_CAP / (plays + EVIDENCE_CAP)


def _days(earlier: str, later: str) -> int:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days


@dataclass
class AudienceModel:
    vocabulary: Vocabulary
    learner: BayesianGLM
    through: str | None = None  # the newest engagement day absorbed
    rows: int = 0  # evidence rows absorbed, ever
    half_life: float = HALF_LIFE_DAYS
    seen: Counter[str] = field(default_factory=Counter)  # feature -> evidence rows with it
    continuation: BayesianGLM | None = None  # None: no episode with a next one measured yet
    seed: int = 0

    @classmethod
    def prior(cls, vocabulary: Vocabulary, seed: int = 0, half_life: float = HALF_LIFE_DAYS):
        """Before any evidence: every concept alike."""
        return cls(vocabulary, _learner(len(vocabulary), seed), half_life=half_life, seed=seed)

    def update(self, rows: pd.DataFrame) -> None:
        """Forget for the days since the last update, then absorb `rows` (from `evidence`);
        rows with no plays (next-episode starts reported late) teach completion nothing."""
        rows = rows[rows["plays"] > 0]
        if rows.empty:
            return
        newest = max(rows["day"].max(), self.through or rows["day"].max())
        rate = 0.5 ** (1 / self.half_life)
        if self.through is not None and newest > self.through:
            self.learner.decay(StabilizedForgetting(rate), steps=_days(self.through, newest))
        age = np.array([_days(day, newest) for day in rows["day"]])
        plays = rows["plays"].to_numpy(float)
        weight = capped(plays) * rate**age  # late rows are older
        rates = rows["completions"].to_numpy(float) / plays
        self.learner.partial_fit(self.vocabulary.matrix(rows["features"]), rates, weight)
        self.through, self.rows = newest, self.rows + len(rows)
        self.seen.update(name for names in rows["features"] for name in names)

    def fit_continuation(self, episodes: pd.DataFrame) -> int:
        """Fit continuation afresh from per-episode totals: `features` (the episode's concept,
        no locale), `plays` and `next_episode_starts` (NaN: not measured, left out). Returns the
        episodes it learned from."""
        known = episodes[episodes[STARTS].notna() & (episodes["plays"] > 0)]
        if known.empty:
            return 0
        plays = known["plays"].to_numpy(float)
        rates = np.clip(known[STARTS].to_numpy(float) / plays, 0.0, 1.0)
        learner = _learner(len(self.vocabulary), getattr(self, "seed", 0))
        learner.partial_fit(self.vocabulary.matrix(known["features"]), rates, capped(plays))
        self.continuation = learner
        return len(known)

    def continuation_mean(self, features: list[list[str]]) -> np.ndarray | None:
        """Posterior mean continuation of each feature list; None before any was measured."""
        learner = getattr(self, "continuation", None)  # models pickled before it existed
        return None if learner is None else learner.predict(self.vocabulary.matrix(features))

    def mean(self, features: list[list[str]]) -> np.ndarray:
        """Posterior mean completion rate of each feature list."""
        return self.learner.predict(self.vocabulary.matrix(features))

    def sample(self, features: list[list[str]], draws: int) -> np.ndarray:
        """`draws` posterior draws of each feature list's completion rate: (draws, n)."""
        return self.learner.sample(self.vocabulary.matrix(features), size=draws)

    def interval(self, groups: dict[str, list[list[str]]], draws: int = 1000) -> pd.DataFrame:
        """Posterior mean and INTERVAL credible bounds of each group's average completion rate
        (a group: full feature lists, e.g. typical concepts of a genre in every locale; a
        part of a concept alone is not identified, since every episode has a genre, a trope
        per beat and a locale)."""
        labels = list(groups)
        rows = [names for label in labels for names in groups[label]]
        found = self.sample(rows, draws)
        ends = np.cumsum([len(groups[label]) for label in labels])
        means = np.stack([part.mean(axis=1) for part in np.split(found, ends[:-1], axis=1)], 1)
        tail = (1 - INTERVAL) / 2
        return pd.DataFrame(
            {
                "label": labels,
                "mean": means.mean(axis=0),
                "low": np.quantile(means, tail, axis=0),
                "high": np.quantile(means, 1 - tail, axis=0),
            }
        )
