"""From cumulative exports to daily figures: snapshots kept per key, differences taken.

The state is each (episode, locale, platform)'s newest cumulative snapshot. A new export's
rows are chained after it in day order and differenced, so a day that came late is counted on
its own day when it arrives, a row the state already holds adds nothing, a revision of that
day adds its change, and a row older than the state is superseded (its figures are inside the
newer cumulative). Keys with no new snapshot for KEEP_DAYS leave the state, which therefore
holds the episodes still earning, not the whole history.

`next_episode_starts` is differenced like the counts, a snapshot that did not report it (no
next episode yet, or a feed without the column) counting as 0: platforms attribute starts to
the play that led to them, so the first export after the next episode is out carries every
start so far, and its difference lands on that day. A day with no report stays NaN.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from microdrama.audience.feed import COUNT_COLUMNS, STARTS

STATE_KEY = ["episode", "locale", "platform"]
FIGURES = [*COUNT_COLUMNS, "watch_seconds", STARTS]
KEEP_DAYS = 30
FELL = "cumulative count below the export before it"


def snapshots(usable: pd.DataFrame) -> pd.DataFrame:
    """Feed rows as snapshots: the day, the key and cumulative figures (watch time as seconds)."""
    frame = usable[["day", *STATE_KEY, *COUNT_COLUMNS]].copy()
    frame["watch_seconds"] = (usable["avg_watch_seconds"] * usable["plays"]).round(3)
    frame[STARTS] = usable[STARTS].astype(float) if STARTS in usable else float("nan")
    return frame


def with_starts(frame: pd.DataFrame) -> pd.DataFrame:
    """A table written before `next_episode_starts` existed, with the column as unknown."""
    return frame if STARTS in frame else frame.assign(**{STARTS: float("nan")})


def empty_state() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="int64" if c in COUNT_COLUMNS else object)
            for c in ["day", *STATE_KEY, *FIGURES]
        }
    ).astype({"watch_seconds": float, STARTS: float})


def difference(
    state: pd.DataFrame, snaps: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """(daily increments, the new state, snapshots quarantined with `reason`, rows superseded)."""
    state = with_starts(state).assign(held=True)
    fresh = snaps.assign(held=False, order=range(len(snaps)))
    newest = state.set_index(STATE_KEY)["day"]
    since = fresh.join(newest.rename("held_day"), on=STATE_KEY)
    superseded = since["held_day"].notna() & (since["day"] < since["held_day"])
    fresh = fresh[~superseded.to_numpy()]
    quarantined = []
    while True:
        chain = pd.concat([state, fresh]).sort_values([*STATE_KEY, "day", "held"])
        same_day = chain.duplicated([*STATE_KEY, "day"], keep="last")  # a revision replaces it
        chain = chain[~same_day]
        before = chain.groupby(STATE_KEY)[FIGURES].shift(1).fillna(0)
        change = chain[FIGURES] - before
        fell = (change < -1e-6).any(axis=1) & ~chain["held"]
        if not fell.any():
            break
        quarantined.append(chain[fell].assign(reason=FELL))
        fresh = fresh[~fresh["order"].isin(chain.loc[fell, "order"])]
    new = ~chain["held"]
    increments = chain.loc[new, ["day", *STATE_KEY]].assign(**change.loc[new].to_dict("series"))
    increments = increments.astype({c: "int64" for c in COUNT_COLUMNS})
    moved = increments[FIGURES].abs().sum(axis=1) > 0
    latest = chain.drop_duplicates(STATE_KEY, keep="last")
    if not latest.empty:
        cutoff = (date.fromisoformat(latest["day"].max()) - timedelta(days=KEEP_DAYS)).isoformat()
        latest = latest[latest["day"] >= cutoff]
    new_state = latest[["day", *STATE_KEY, *FIGURES]].reset_index(drop=True)
    bad = pd.concat(quarantined) if quarantined else snaps.head(0).assign(reason="")
    bad = bad.drop(columns=["held", "order"], errors="ignore")
    return increments[moved].reset_index(drop=True), new_state, bad, int(superseded.sum())
