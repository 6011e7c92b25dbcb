"""Renewing and retiring series: the next episode of what holds viewers, none of what does not.

A series is judged on its newest episode with enough evidence (MIN_PLAYS), once per episode:
when the series' completion rate (all its episodes, plays-weighted) beats the median episode
of its genre, its next episode is ordered; when a pilot falls below RETIRE_BELOW times that
median, the series is retired. Otherwise it keeps testing. A genre needs MIN_PEERS episodes
with evidence before its median means anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from microdrama.keys import EpisodeKey

MIN_PLAYS = 300
MIN_PEERS = 3
RETIRE_BELOW = 0.9


@dataclass(frozen=True)
class Verdict:
    series: str
    genre: str
    kind: str  # renew or retire
    key: str  # the episode the verdict was made on
    rate: float
    median: float

    @property
    def reason(self) -> str:
        compared = "beats" if self.kind == "renew" else f"is under {RETIRE_BELOW:.0%} of"
        return (
            f"{self.series} completes {self.rate:.1%} after {self.key}: {compared} the "
            f"{self.genre} median {self.median:.1%}"
        )


def series_figures(episodes: pd.DataFrame) -> pd.DataFrame:
    """Per series: genre, its newest episode with MIN_PLAYS plays, plays, completion rate."""
    if episodes.empty:
        return pd.DataFrame(columns=["series", "genre", "newest", "number", "plays", "rate"])
    frame = episodes.assign(number=[EpisodeKey.parse(k).number for k in episodes["episode"]])
    proven = frame[frame["plays"] >= MIN_PLAYS].sort_values("number")
    newest = proven.drop_duplicates("series", keep="last").set_index("series")
    totals = frame.groupby(["series", "genre"], as_index=False)[["plays", "completions"]].sum()
    totals["rate"] = totals["completions"] / totals["plays"].where(totals["plays"] > 0)
    totals["newest"] = totals["series"].map(newest["episode"])
    totals["number"] = totals["series"].map(newest["number"])
    return totals


def genre_medians(episodes: pd.DataFrame) -> dict[str, float]:
    proven = episodes[episodes["plays"] >= MIN_PLAYS]
    rates = proven["completions"] / proven["plays"]
    grouped = rates.groupby(proven["genre"])
    return {g: float(r.median()) for g, r in grouped if len(r) >= MIN_PEERS}


def verdicts(episodes: pd.DataFrame, status: dict[str, str], decided: set[str]) -> list[Verdict]:
    """What to do about each series now. `status`: series -> testing, renewed or retired;
    `decided`: episode keys a verdict was already made on."""
    medians = genre_medians(episodes)
    found = []
    for row in series_figures(episodes).itertuples():
        median = medians.get(row.genre)
        if (
            median is None
            or pd.isna(row.newest)
            or row.newest in decided
            or status.get(row.series) == "retired"
        ):
            continue
        if row.rate > median:
            found.append(Verdict(row.series, row.genre, "renew", row.newest, row.rate, median))
        elif row.number == 1 and row.rate < RETIRE_BELOW * median:
            found.append(Verdict(row.series, row.genre, "retire", row.newest, row.rate, median))
    return found
