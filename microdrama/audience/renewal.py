"""Renewing and retiring series the way platforms judge them: by their newest episode.

A series is judged once per episode, on its newest episode with enough evidence (MIN_PLAYS):
its completion rate against the median episode of its genre, and its continuation (the share
of the previous episode's viewers who started it, from that episode's `next_episode_starts`)
against its genre's median continuation. Both beat or hold their bar: the next episode is
ordered. Either falls under RETIRE_BELOW times its bar: the series is retired, however strong
its pilot was (a strong pilot carrying weak follow-ups is what a series-wide average hides).
Otherwise it keeps testing. A pilot has no continuation into it, and a feed without the column
has none at all: those are judged on completion alone, as before. A genre needs MIN_PEERS
episodes with evidence before its median means anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from microdrama.audience.feed import STARTS
from microdrama.keys import EpisodeKey

MIN_PLAYS = 300
MIN_PEERS = 3
RETIRE_BELOW = 0.9
NO_PEERS = f"no verdict yet (a genre needs {MIN_PEERS} episodes with {MIN_PLAYS} plays)"
ALL_JUDGED = "every episode with enough plays has been judged"
HOLDING = "no newest episode beats its genre's bars or falls under them: every series keeps testing"


@dataclass(frozen=True)
class Verdict:
    series: str
    genre: str
    kind: str  # renew or retire
    key: str  # the episode the verdict was made on
    rate: float  # the episode's completion rate
    median: float  # its genre's median completion rate
    continuation: float | None = None  # the share of the episode before's viewers who came on
    continuation_median: float | None = None

    @property
    def reason(self) -> str:
        goes_on = (
            f", {self.continuation:.1%} of viewers came on (the {self.genre} median: "
            f"{self.continuation_median:.1%})"
            if self.continuation is not None and self.continuation_median is not None
            else ""
        )
        if self.kind == "renew":
            compared = "beats"
        elif self.rate < RETIRE_BELOW * self.median:
            compared = f"is under {RETIRE_BELOW:.0%} of"
        else:
            compared = "holds against"
        return (
            f"{self.series} completes {self.rate:.1%} at {self.key}: {compared} the "
            f"{self.genre} median {self.median:.1%}{goes_on}"
        )


def _numbered(episodes: pd.DataFrame) -> pd.DataFrame:
    frame = episodes if STARTS in episodes else episodes.assign(**{STARTS: np.nan})
    return frame.assign(number=[EpisodeKey.parse(k).number for k in frame["episode"]])


def continuation_rates(episodes: pd.DataFrame) -> pd.Series:
    """episode -> the share of its viewers who started the next episode, where measured with
    MIN_PLAYS plays."""
    frame = episodes if STARTS in episodes else episodes.assign(**{STARTS: np.nan})
    known = frame[frame[STARTS].notna() & (frame["plays"] >= MIN_PLAYS)]
    return (known[STARTS] / known["plays"]).clip(0, 1).set_axis(known["episode"])


def series_figures(episodes: pd.DataFrame) -> pd.DataFrame:
    """Per series: genre, plays and completion rate over all its episodes, and its newest
    episode with MIN_PLAYS plays (`newest`, `number`), that episode's completion rate
    (`newest_rate`) and the continuation into it (`continuation`, NaN for a pilot or where
    `next_episode_starts` was not reported)."""
    columns = ["series", "genre", "plays", "rate", "newest", "number", "newest_rate"]
    if episodes.empty:
        return pd.DataFrame(columns=[*columns, "continuation"])
    frame = _numbered(episodes)
    proven = frame[frame["plays"] >= MIN_PLAYS].sort_values("number")
    newest = proven.drop_duplicates("series", keep="last").set_index("series")
    totals = frame.groupby(["series", "genre"], as_index=False)[["plays", "completions"]].sum()
    totals["rate"] = totals["completions"] / totals["plays"].where(totals["plays"] > 0)
    totals["newest"] = totals["series"].map(newest["episode"])
    totals["number"] = totals["series"].map(newest["number"])
    totals["newest_rate"] = totals["series"].map(newest["completions"] / newest["plays"])
    came_on = continuation_rates(frame)
    before = {
        row.series: f"{row.series}-{int(row.number) - 1:02d}"
        for row in newest.reset_index().itertuples()
        if row.number > 1
    }
    totals["continuation"] = [came_on.get(before.get(s, ""), np.nan) for s in totals["series"]]
    return totals


def genre_medians(episodes: pd.DataFrame) -> dict[str, float]:
    """genre -> the median completion rate of its episodes with MIN_PLAYS plays."""
    proven = episodes[episodes["plays"] >= MIN_PLAYS]
    rates = proven["completions"] / proven["plays"]
    grouped = rates.groupby(proven["genre"])
    return {g: float(r.median()) for g, r in grouped if len(r) >= MIN_PEERS}


def continuation_medians(episodes: pd.DataFrame) -> dict[str, float]:
    """genre -> the median continuation of its episodes whose next one was measured."""
    rates = continuation_rates(episodes)
    genres = episodes.set_index("episode")["genre"]
    grouped = rates.groupby(genres.reindex(rates.index).to_numpy())
    return {g: float(r.median()) for g, r in grouped if len(r) >= MIN_PEERS}


def verdicts(episodes: pd.DataFrame, status: dict[str, str], decided: set[str]) -> list[Verdict]:
    """What to do about each series now. `status`: series -> testing, renewed or retired;
    `decided`: episode keys a verdict was already made on."""
    medians, bars = genre_medians(episodes), continuation_medians(episodes)
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
        bar = bars.get(row.genre)
        came_on = None if pd.isna(row.continuation) or bar is None else float(row.continuation)
        verdict = Verdict(
            row.series,
            row.genre,
            "renew",
            row.newest,
            float(row.newest_rate),
            median,
            came_on,
            bar if came_on is not None else None,
        )
        weak = row.newest_rate < RETIRE_BELOW * median or (
            came_on is not None and came_on < RETIRE_BELOW * bar
        )
        if weak:
            found.append(replace(verdict, kind="retire"))
        elif row.newest_rate > median and (came_on is None or came_on >= bar):
            found.append(verdict)
    return found


def why_none(episodes: pd.DataFrame, status: dict[str, str], decided: set[str]) -> str:
    """Why `verdicts` found nothing, in the words the renewal summary prints."""
    medians = genre_medians(episodes) if not episodes.empty else {}
    if not medians:
        return NO_PEERS
    figures = series_figures(episodes)
    open_ = figures[
        figures["genre"].isin(medians)
        & figures["newest"].notna()
        & (figures["series"].map(status).fillna("testing") != "retired")
    ]
    if open_["newest"].isin(decided).all():
        return ALL_JUDGED
    return HOLDING
