"""A synthetic market: hidden tastes, and the engagement exports a platform would send.

Each market (a seed) has a true effect on completion for every concept feature (genre, trope,
archetype, setting, locale), drawn the first time the feature is asked about, so any library
works. A drift re-draws part of the trope effects from a given day on. Counts are drawn per
episode, locale, platform and day from seeds, so an export is a pure function of the market,
the episodes and the day: run it again and the same figures come back, as a platform's do.

Series economics: a market may give a series' follow-ups a quality of their own
(`followup_spread`: every episode after the pilot shares one offset per series, drawn
independently of the pilot), and viewers go on to the next episode at a rate that rises with
how well the episode holds them (CONTINUATION_RATE for an average one). Exports carry the
cumulative `next_episode_starts` of every episode whose next one is out, attributed to the
play that led to it; blank where the next episode is not out yet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from microdrama.audience.features import ConceptFeatures, group
from microdrama.audience.feed import COLUMNS, STARTS
from microdrama.keys import EpisodeKey

PLATFORMS = ("youtube", "tiktok")
SPREAD = {"genre": 0.5, "trope": 0.45, "archetype": 0.15, "setting": 0.15, "locale": 0.25}
BASE_RATE = 0.25  # completion rate of an average concept
EPISODE_NOISE = 0.15  # logits: episodes of one concept differ this much
REACH = 1500  # first-day impressions of an episode in one locale on one platform
FADE = 0.6  # each day after release keeps this share of the day before's impressions
LIFETIME_DAYS = 10  # after this an episode has no new impressions worth counting
PLAY_RATE = 0.45  # impressions that become plays
CONTINUATION_RATE = 0.55  # viewers of an average episode who start the next one
CONTINUATION_SLOPE = 1.0  # logits of continuation per logit of the episode's completion


def _rng(*parts: object) -> np.random.Generator:
    text = "|".join(str(p) for p in parts)
    return np.random.default_rng(int(hashlib.sha256(text.encode()).hexdigest()[:16], 16))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


@dataclass
class Market:
    seed: int
    drift_day: str | None = None  # from this day on, `drift_share` of the trope effects change
    drift_share: float = 0.5
    late_share: float = 0.3  # exports that miss an episode's newest day (it comes next time)
    followup_spread: float = 0.0  # logits: how far a series' follow-ups stray from its pilot
    _effects: dict[tuple[str, bool], float] = field(default_factory=dict, repr=False)

    def effect(self, name: str, day: str | None = None) -> float:
        drifted = (
            self.drift_day is not None
            and day is not None
            and day >= self.drift_day
            and group(name) == "trope"
            and _rng(self.seed, "drifts", name).random() < self.drift_share
        )
        if (name, drifted) not in self._effects:
            rng = _rng(self.seed, "effect", name, drifted)
            self._effects[name, drifted] = float(rng.normal(0, SPREAD[group(name)]))
        return self._effects[name, drifted]

    def rate(self, concept: ConceptFeatures, locale: str | None, day: str | None = None) -> float:
        """The true completion rate of an average episode of `concept` in `locale`."""
        logit = _logit(BASE_RATE) + sum(self.effect(n, day) for n in concept.names(locale))
        return float(1 / (1 + np.exp(-logit)))

    def value(self, concept: ConceptFeatures, locales: Iterable[str], day: str | None = None):
        """A concept's worth to the factory: its true completion rate, averaged over locales."""
        return float(np.mean([self.rate(concept, loc, day) for loc in locales]))

    def followup(self, key: str) -> float:
        """The logit offset of `key`'s episode: 0 for a pilot, its series' own for follow-ups."""
        parsed = EpisodeKey.parse(key)
        if parsed.number == 1 or self.followup_spread == 0:
            return 0.0
        return float(_rng(self.seed, "followups", parsed.series_id).normal(0, self.followup_spread))

    def episode_logit(self, key: str, concept: ConceptFeatures, locale: str, day: str) -> float:
        """The true completion logit of one episode (its concept, its own noise, its series')."""
        noise = _rng(self.seed, "episode", key).normal(0, EPISODE_NOISE)
        return _logit(self.rate(concept, locale, day)) + noise + self.followup(key)

    def episode_value(self, key: str, concept: ConceptFeatures, locales: Iterable[str]) -> float:
        """One episode's true completion rate over locales (what a follow-up is really worth)."""
        logits = [self.episode_logit(key, concept, loc, None) for loc in locales]
        return float(np.mean([1 / (1 + np.exp(-x)) for x in logits]))

    def continuation(self, logit: float) -> float:
        """The share of an episode's viewers who start the next one, from its completion logit."""
        shift = CONTINUATION_SLOPE * (logit - _logit(BASE_RATE))
        return float(1 / (1 + np.exp(-(_logit(CONTINUATION_RATE) + shift))))

    def day_counts(
        self, key: str, concept: ConceptFeatures, locale: str, platform: str, age: int, day: str
    ) -> dict[str, int]:
        """What one episode earned in one locale and platform on its `age`-th day out;
        `next_episode_starts`: its viewers of the day who go on, once a next episode is out."""
        logit = self.episode_logit(key, concept, locale, day)
        rate = 1 / (1 + np.exp(-logit))
        rng = _rng(self.seed, "day", key, locale, platform, day)
        impressions = int(rng.poisson(REACH * FADE**age)) if age < LIFETIME_DAYS else 0
        plays = int(rng.binomial(impressions, PLAY_RATE))
        completions = int(rng.binomial(plays, rate))
        held = completions + int(rng.binomial(plays - completions, 0.5))
        return {
            "impressions": impressions,
            "plays": plays,
            "hold_3s": held,
            "completions": completions,
            "likes": int(rng.binomial(completions, 0.08)),
            "shares": int(rng.binomial(completions, 0.02)),
            "comments": int(rng.binomial(completions, 0.01)),
            STARTS: int(rng.binomial(plays, self.continuation(logit))),
        }

    def export(self, episodes: pd.DataFrame, through: date, window_days: int = 7) -> pd.DataFrame:
        """The cumulative export a platform sends on `through`: every episode, locale and
        platform with figures to date for each of the last `window_days` days, newest days
        sometimes missing (late; the next export has them).

        `episodes` are catalog rows: key, minted_at, locales, seconds and the concept columns.
        """
        rows = []
        first = through - timedelta(days=window_days - 1)
        out = {
            key
            for key, minted in zip(episodes["key"], episodes["minted_at"], strict=True)
            if date.fromisoformat(minted[:10]) <= through
        }
        for episode in episodes.to_dict("records"):
            released = date.fromisoformat(episode["minted_at"][:10])
            if released > through or (through - released).days > LIFETIME_DAYS + window_days:
                continue
            concept = ConceptFeatures.of_row(episode)
            late = _rng(self.seed, "late", episode["key"], through).random() < self.late_share
            last = through - timedelta(days=1) if late else through
            followed = str(EpisodeKey.parse(episode["key"]).next()) in out
            for locale in episode["locales"].split(","):
                for platform in PLATFORMS:
                    rows += self._cumulative(
                        episode, concept, locale, platform, released, first, last, followed
                    )
        return pd.DataFrame(rows, columns=[*COLUMNS, STARTS])

    def _cumulative(
        self, episode, concept, locale, platform, released, first, last, followed
    ) -> list[dict]:
        totals: dict[str, int] = {}
        rows = []
        day = released
        while day <= last:
            counts = self.day_counts(
                episode["key"], concept, locale, platform, (day - released).days, day.isoformat()
            )
            for name, n in counts.items():
                totals[name] = totals.get(name, 0) + n
            if day >= first:
                plays = totals["plays"]
                watched = totals["completions"] + 0.35 * (plays - totals["completions"])
                rows.append(
                    {
                        "day": day.isoformat(),
                        "episode": episode["key"],
                        "locale": locale,
                        "platform": platform,
                        **totals,
                        STARTS: totals[STARTS] if followed else None,
                        "avg_watch_seconds": round(
                            float(episode["seconds"]) * watched / plays if plays else 0.0, 2
                        ),
                    }
                )
            day += timedelta(days=1)
        return rows
