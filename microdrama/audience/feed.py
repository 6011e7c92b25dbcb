"""The engagement feed: platform exports of per-episode, per-locale, per-day figures.

Exports (YouTube Analytics, TikTok and Meta insights) are cumulative to their day and come
late and dirty. A row that cannot be trusted is quarantined with its reason; only a feed that
cannot be read at all is an error. `next_episode_starts` (viewers who went on to start the
series' next episode, cumulative, as platforms report per-episode continuation) is optional:
a feed without the column, or a blank cell (no next episode yet), means "not reported". The
feed is a CSV or parquet file at any fsspec root, or a table on Postgres
(`postgresql://host/db?table=engagement_export`).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import fsspec
import pandas as pd
import sqlalchemy as sa

from microdrama.media import write_bytes

KEY_COLUMNS = ("day", "episode", "locale", "platform")
COUNT_COLUMNS = (
    "impressions",
    "plays",
    "hold_3s",
    "completions",
    "likes",
    "shares",
    "comments",
)
COLUMNS = (*KEY_COLUMNS, *COUNT_COLUMNS[:4], "avg_watch_seconds", *COUNT_COLUMNS[4:])
STARTS = "next_episode_starts"  # optional; a float column in the tables, NaN where not reported


class EngagementFeedError(ValueError):
    pass


def _sql(location: str) -> tuple[str, str]:
    """(database URL, table) of a postgresql://...?table=name feed."""
    parts = urlsplit(location)
    table = parse_qs(parts.query).get("table", [""])[0]
    if not table:
        raise EngagementFeedError(f"{location}: a database feed needs ?table=<name>")
    url = urlunsplit(parts._replace(query=""))
    return "postgresql+psycopg2://" + url.removeprefix("postgresql://"), table


def read_raw(location: str) -> pd.DataFrame:
    """The feed as text columns, or raises naming the location."""
    try:
        if location.startswith("postgresql://"):
            url, table = _sql(location)
            engine = sa.create_engine(url)
            try:
                with engine.connect() as conn:
                    frame = pd.read_sql_table(table, conn)
            finally:
                engine.dispose()
            return frame.astype(str)
        with fsspec.open(location, "rb") as handle:
            data = handle.read()
        if location.endswith(".parquet"):
            return pd.read_parquet(io.BytesIO(data)).astype(str)
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except EngagementFeedError:
        raise
    except FileNotFoundError:
        raise EngagementFeedError(
            f"{location}: engagement feed not found (set MICRODRAMA_ENGAGEMENT, or run "
            "`microdrama audience simulate`)"
        ) from None
    except Exception as exc:  # readers raise many types; the user needs the location
        raise EngagementFeedError(
            f"{location}: cannot be read as an engagement feed ({exc})"
        ) from exc


def content_version(location: str) -> str:
    """A digest of the feed's content: its data version changes only when the content does."""
    raw = read_raw(location)
    hashed = pd.util.hash_pandas_object(raw, index=False).values.tobytes()
    return hashlib.sha256(hashed).hexdigest()[:16]


def validate(
    raw: pd.DataFrame, known: Callable[[Iterable[str]], set[str]], source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(usable rows, typed; quarantined rows with `reason` and 1-based `row`).

    `known` answers which of the feed's episode keys the catalog has, in one query.
    """
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise EngagementFeedError(
            f"{source}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    raw = raw[[*COLUMNS, *([STARTS] if STARTS in raw.columns else [])]].reset_index(drop=True)
    text = raw.astype(str).apply(lambda column: column.str.strip())
    frame = pd.DataFrame({name: text[name] for name in ("episode", "locale", "platform")})
    frame["day"] = pd.to_datetime(text["day"], errors="coerce", format="%Y-%m-%d")
    for name in (*COUNT_COLUMNS, "avg_watch_seconds"):
        frame[name] = pd.to_numeric(text[name], errors="coerce")
    blank = text[STARTS].isin(["", "nan", "None", "<NA>"]) if STARTS in text else True
    starts = pd.to_numeric(text[STARTS], errors="coerce") if STARTS in text else None
    frame[STARTS] = starts if starts is not None else float("nan")
    counts = frame[list(COUNT_COLUMNS)]
    ours = known(set(frame["episode"]))
    continuation = [
        (frame[STARTS].isna() & ~blank, "non-numeric next_episode_starts"),
        ((frame[STARTS] < 0) | (frame[STARTS] % 1 > 0), "next_episode_starts not a count"),
        (frame[STARTS] > frame["plays"], "next_episode_starts above plays"),
    ]
    checks = [
        (frame["day"].isna(), "bad date (want YYYY-MM-DD)"),
        ((frame[["locale", "platform"]] == "").any(axis=1), "no locale or platform"),
        (counts.isna().any(axis=1) | frame["avg_watch_seconds"].isna(), "non-numeric count"),
        ((counts < 0).any(axis=1) | (frame["avg_watch_seconds"] < 0), "negative count"),
        ((counts % 1 != 0).any(axis=1), "fractional count"),
        (frame["completions"] > frame["plays"], "completions above plays"),
        (frame["plays"] > frame["impressions"], "plays above impressions"),
        *(continuation if starts is not None else []),
        (~frame["episode"].isin(ours), "unknown episode (not in the catalog)"),
    ]
    reasons = pd.Series([None] * len(frame), dtype=object)
    for found, label in checks:
        reasons = reasons.where(reasons.notna() | ~found.fillna(False), label)
    duplicate = frame.duplicated(list(KEY_COLUMNS)) & reasons.isna()
    reasons = reasons.where(~duplicate, "duplicate (same day, episode, locale and platform)")
    bad = reasons.notna()
    quarantined = raw[bad].astype(str).assign(reason=reasons[bad], row=raw.index[bad] + 1)
    usable = frame[~bad].astype({**dict.fromkeys(COUNT_COLUMNS, "int64"), STARTS: float})
    usable["day"] = usable["day"].dt.strftime("%Y-%m-%d")
    return usable.reset_index(drop=True), quarantined.reset_index(drop=True)


def write_feed(frame: pd.DataFrame, location: str) -> None:
    """Write an export where the feed is read from (a simulated platform's upload): CSV or
    parquet by suffix, replaced whole so a reader never sees half a file."""
    data = io.BytesIO()
    if location.endswith(".parquet"):
        frame.to_parquet(data, index=False)
    else:
        frame.to_csv(data, index=False)
    if "://" not in location:
        write_bytes(Path(location), data.getvalue())
        return
    with fsspec.open(location, "wb") as handle:
        handle.write(data.getvalue())
