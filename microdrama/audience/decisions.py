"""The decisions log: every pilot chosen, series renewed or retired, with its reason and the
probability the policy gave it, so policies can be compared offline.

A table in the catalog's database (SQLite by default, Postgres in production). A pilot's row
keeps every candidate it was chosen from, with the model's expected completion rate and the
policy's probability, which is what inverse-propensity and doubly robust estimates need.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pandas as pd
import sqlalchemy as sa

from microdrama.catalog.database import KEYS_PER_QUERY

KINDS = ("pilot", "renew", "retire")
STATUS = {"pilot": "testing", "renew": "renewed", "retire": "retired"}


@dataclass(frozen=True)
class Decision:
    decided_at: str
    kind: str  # one of KINDS
    key: str  # the episode made (pilot, renew) or the last one of the series (retire)
    series: str
    genre: str
    policy: str
    reason: str
    propensity: float
    expected: float | None = None  # the model's completion rate for the choice
    candidates: list[dict] = field(default_factory=list)  # features, expected, probability

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"decision kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if not 0 < self.propensity <= 1:
            raise ValueError(f"decision on {self.key}: propensity {self.propensity} not in (0, 1]")


class DecisionLog:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        meta = sa.MetaData()
        self.table = sa.Table(
            "decisions",
            meta,
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("decided_at", sa.Text(), nullable=False),
            sa.Column("kind", sa.Text(), nullable=False),
            sa.Column("key", sa.Text(), nullable=False),
            sa.Column("series", sa.Text(), nullable=False),
            sa.Column("genre", sa.Text(), nullable=False),
            sa.Column("policy", sa.Text(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("propensity", sa.Float(), nullable=False),
            sa.Column("expected", sa.Float()),
            sa.Column("candidates", sa.Text(), nullable=False),
            sa.Index("decisions_series", "series"),
            sa.Index("decisions_key", "key"),
            sa.Index("decisions_decided_at", "decided_at"),
        )
        with engine.begin() as conn:
            meta.create_all(conn)

    def record(self, decisions: list[Decision]) -> None:
        if not decisions:
            return
        rows = [{**asdict(d), "candidates": json.dumps(d.candidates)} for d in decisions]
        with self.engine.begin() as conn:
            conn.execute(self.table.insert(), rows)

    def recent(self, limit: int = 100, kind: str | None = None) -> pd.DataFrame:
        """The newest `limit` decisions (of `kind`), newest first."""
        c = self.table.c
        query = sa.select(self.table).order_by(c.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(c.kind == kind)
        return self._frame(query)

    def since(self, day: str, limit: int = 10_000) -> pd.DataFrame:
        """Decisions and verdicts made on or after `day` (YYYY-MM-DD or a full timestamp),
        oldest first: the audit trail `microdrama audience decisions --since DAY` prints."""
        c = self.table.c
        query = sa.select(self.table).where(c.decided_at >= day).order_by(c.id).limit(limit)
        return self._frame(query)

    def of_series(self, series: list[str]) -> pd.DataFrame:
        """Every decision on `series`, oldest first."""
        return self._matching("series", series)

    def of_keys(self, keys: list[str]) -> pd.DataFrame:
        return self._matching("key", keys)

    def _matching(self, column: str, values: list[str]) -> pd.DataFrame:
        """Rows whose `column` is one of `values`, oldest first, asked in chunks."""
        c = self.table.c
        values = sorted(set(values))
        parts = [
            self._frame(
                sa.select(self.table).where(c[column].in_(values[start : start + KEYS_PER_QUERY]))
            )
            for start in range(0, len(values), KEYS_PER_QUERY)
        ]
        found = (
            pd.concat(parts, ignore_index=True)
            if parts
            else self._frame(sa.select(self.table).where(sa.false()))
        )
        return found.sort_values("id").reset_index(drop=True)

    def status(self, series: list[str]) -> dict[str, str]:
        """series -> testing, renewed or retired, from its newest decision."""
        found = self.of_series(series)
        latest = found.drop_duplicates("series", keep="last")
        return {row.series: STATUS[row.kind] for row in latest.itertuples()}

    def _frame(self, query: sa.Select) -> pd.DataFrame:
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        frame = pd.DataFrame(rows, columns=[c.name for c in self.table.columns])
        frame["candidates"] = frame["candidates"].map(json.loads)
        return frame
