"""The trend feed: when a topic was observed, how hot it is, and where.

Feeds come from outside and are often dirty. A row that cannot be trusted is quarantined with
its reason instead of failing the whole feed; only a feed with no usable row is an error.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

COLUMNS = ("observed_at", "topic", "score", "region")
MAX_TOPIC = 120


class TrendFeedError(ValueError):
    pass


def latest_observations(trends: pd.DataFrame) -> pd.DataFrame:
    """Each topic's most recent row: a topic's heat is what it scores now."""
    return trends.sort_values(["observed_at", "score"]).drop_duplicates("topic", keep="last")


def topic_problem(topic: object) -> str | None:
    """Why a topic cannot ride an episode (it reaches captions, voices and prompts), or None."""
    if not isinstance(topic, str) or not topic.strip():
        return "no topic"
    if len(topic) > MAX_TOPIC:
        return f"topic longer than {MAX_TOPIC} characters"
    if any(unicodedata.category(c) == "Cc" for c in topic):
        return "control characters in topic"
    return None


def read_trend_feed(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(usable rows with typed columns, quarantined rows with a `reason` column).

    Raises naming the file when it cannot be read, lacks a column, or has no usable row.
    """
    if not path.exists():
        raise TrendFeedError(f"{path}: trend feed not found (set MICRODRAMA_TRENDS)")
    try:
        raw = (
            pd.read_parquet(path)
            if path.suffix == ".parquet"
            else pd.read_csv(path, dtype=str, keep_default_na=False)
        )
    except Exception as exc:  # pandas raises many parser types; the user needs the file name
        raise TrendFeedError(f"{path}: cannot be read as a trend feed ({exc})") from exc
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise TrendFeedError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    raw = raw[list(COLUMNS)].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "observed_at": pd.to_datetime(
                raw["observed_at"], utc=True, errors="coerce", format="ISO8601"
            ),
            "topic": raw["topic"].map(lambda t: t.strip() if isinstance(t, str) else t),
            "score": pd.to_numeric(raw["score"], errors="coerce"),
            "region": raw["region"].map(lambda r: r.strip() if isinstance(r, str) else ""),
        }
    )
    reasons = pd.Series([None] * len(frame), dtype=object)
    checks = [
        (frame["topic"].map(topic_problem), None),
        (frame["observed_at"].isna(), "bad date"),
        (frame["score"].isna(), "non-numeric score"),
        (~frame["score"].between(0, 1) & frame["score"].notna(), "score outside 0-1"),
    ]
    for found, label in checks:
        problem = found if label is None else found.map({True: label, False: None})
        reasons = reasons.where(reasons.notna(), problem)
    keys = frame[["observed_at", "topic", "region"]].astype(str)
    duplicate = keys.duplicated() & reasons.isna()
    reasons = reasons.where(~duplicate, "duplicate of an earlier row")
    bad = reasons.notna()
    quarantined = raw[bad].astype(str).assign(reason=reasons[bad], row=raw.index[bad] + 1)
    usable = frame[~bad].astype({"topic": "string", "region": "string"})
    if usable.empty:
        raise TrendFeedError(
            f"{path}: no usable rows (need a date, a topic and a score in 0-1); "
            f"{len(quarantined)} row(s) quarantined"
        )
    return usable.reset_index(drop=True), quarantined.reset_index(drop=True)


def load_trend_feed(path: Path) -> pd.DataFrame:
    """The usable rows of a feed; see `read_trend_feed` for what is quarantined."""
    return read_trend_feed(path)[0]
