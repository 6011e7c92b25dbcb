"""The trend feed: when a topic was observed, how hot it is, and where."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ("observed_at", "topic", "score", "region")


class TrendFeedError(ValueError):
    pass


def latest_observations(trends: pd.DataFrame) -> pd.DataFrame:
    """Each topic's most recent row: a topic's heat is what it scores now."""
    return trends.sort_values(["observed_at", "score"]).drop_duplicates("topic", keep="last")


def load_trend_feed(path: Path) -> pd.DataFrame:
    """Read a CSV or parquet feed into typed columns; raise naming the file and column."""
    if not path.exists():
        raise TrendFeedError(f"{path}: trend feed not found (set MICRODRAMA_TRENDS)")
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pandas raises many parser types; the user needs the file name
        raise TrendFeedError(f"{path}: cannot be read as a trend feed ({exc})") from exc
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise TrendFeedError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    frame = frame[list(COLUMNS)].copy()
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True, errors="coerce")
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    frame["topic"] = frame["topic"].astype("string").str.strip()
    frame["region"] = frame["region"].astype("string").str.strip()
    usable = frame.dropna().query("topic != ''")
    if usable.empty:
        raise TrendFeedError(f"{path}: no usable rows (need a date, a topic and a numeric score)")
    return usable.reset_index(drop=True)
