"""The catalog as a SQL table: what sensors, the gallery and the audience loop query.

SQLite beside the media root by default; a postgresql:// URL on the production profile, where
analysts query the same rows. Every write is one short transaction, so concurrent runs can
record episodes at once; counters hand out series numbers atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from microdrama.catalog.rows import COLUMNS

_TYPES = {str: sa.Text, int: sa.BigInteger, float: sa.Float}
KEYS_PER_QUERY = 5000  # SQLite takes at most 32,766 parameters in one statement


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class CatalogDB:
    def __init__(self, url: str):
        if url.startswith("postgresql://"):  # the driver dagster-postgres installs
            url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(
            url, connect_args={"timeout": 60} if self.sqlite else {}, pool_pre_ping=True
        )
        if self.sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        meta = sa.MetaData()
        self.catalog = sa.Table(
            "catalog",
            meta,
            *(
                sa.Column(name, _TYPES[kind](), primary_key=name == "key")
                for name, kind in COLUMNS.items()
            ),
            sa.Index("catalog_genre_day", "genre", "day"),
            sa.Index("catalog_series", "series"),
            sa.Index("catalog_status", "status"),
        )
        self.day_pages = sa.Table(  # the (genre, day) pairs with episodes: the gallery index
            "catalog_days",
            meta,
            sa.Column("genre", sa.Text(), primary_key=True),
            sa.Column("day", sa.Text(), primary_key=True),
        )
        self.counters = sa.Table(
            "counters",
            meta,
            sa.Column("name", sa.Text(), primary_key=True),
            sa.Column("value", sa.BigInteger(), nullable=False),
        )
        with self.engine.begin() as conn:
            if not self.sqlite:  # the first runs start together: one creates, the rest wait
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('catalog schema'))"))
            meta.create_all(conn)
            _add_new_columns(conn, self.catalog)

    def _insert(self, table: sa.Table) -> sa.Insert:
        if self.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert(table)

    def upsert(self, rows: Iterable[dict]) -> None:
        """Insert or replace rows by key; keep the per-genre counts and the day list current, so
        the gallery index never has to count the whole table."""
        rows = list(rows)
        if not rows:
            return
        statement = self._insert(self.catalog)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={name: statement.excluded[name] for name in COLUMNS if name != "key"},
        )
        days = self._insert(self.day_pages).on_conflict_do_nothing()
        with self.engine.begin() as conn:
            c = self.catalog.c
            keys = [row["key"] for row in rows]
            known = set(conn.execute(sa.select(c.key).where(c.key.in_(keys))).scalars())
            conn.execute(statement, rows)
            conn.execute(days, [{"genre": r["genre"], "day": r["day"]} for r in rows])
            for row in rows:
                if row["key"] not in known:
                    self._bump(conn, f"episodes:{row['genre']}")

    def replace_all(self, rows: Iterable[dict]) -> None:
        """The whole table, anew (the rebuild)."""
        with self.engine.begin() as conn:
            conn.execute(self.catalog.delete())
            conn.execute(self.day_pages.delete())
            conn.execute(self.counters.delete().where(self.counters.c.name.like("episodes:%")))
        self.upsert(rows)

    def rows(
        self,
        *,
        genre: str | None = None,
        day: str | None = None,
        series: str | None = None,
        keys: Iterable[str] | None = None,
        status: str | None = None,
        since: str | None = None,
    ) -> pd.DataFrame:
        """Rows matching every filter given (`since`: a first day), newest first."""
        if keys is not None and len(keys := sorted(set(keys))) > KEYS_PER_QUERY:
            filters = {"genre": genre, "day": day, "series": series, "status": status}
            parts = [
                self.rows(**filters, since=since, keys=keys[start : start + KEYS_PER_QUERY])
                for start in range(0, len(keys), KEYS_PER_QUERY)
            ]
            found = pd.concat(parts, ignore_index=True)
            return found.sort_values(["minted_at", "key"], ascending=False, ignore_index=True)
        c = self.catalog.c
        query = sa.select(self.catalog).order_by(c.minted_at.desc(), c.key.desc())
        if since is not None:
            query = query.where(c.day >= since)
        for column, value in (("genre", genre), ("day", day), ("series", series)):
            if value is not None:
                query = query.where(c[column] == value)
        if status is not None:
            query = query.where(c.status == status)
        if keys is not None:
            query = query.where(c.key.in_(list(keys)))
        with self.engine.connect() as conn:
            found = conn.execute(query).mappings().all()
        return pd.DataFrame([dict(r) for r in found], columns=list(COLUMNS))

    def days(self) -> dict[str, list[str]]:
        """genre -> the days it has episodes on, newest first."""
        c = self.day_pages.c
        query = sa.select(c.genre, c.day).order_by(c.genre, c.day.desc())
        found: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for genre, day in conn.execute(query):
                found.setdefault(genre, []).append(day)
        return found

    def genre_counts(self) -> dict[str, int]:
        c = self.counters.c
        query = sa.select(c.name, c.value).where(c.name.like("episodes:%"))
        with self.engine.connect() as conn:
            return {name.split(":", 1)[1]: int(n) for name, n in conn.execute(query)}

    def set_status(self, keys: Iterable[str], status: str) -> None:
        keys = list(keys)
        with self.engine.begin() as conn:
            conn.execute(
                self.catalog.update().where(self.catalog.c.key.in_(keys)).values(status=status)
            )

    def known(self, keys: Iterable[str]) -> set[str]:
        """The `keys` the catalog has, looked up by key in chunks (a feed may name thousands)."""
        keys, found = sorted(set(keys)), set()
        c = self.catalog.c
        with self.engine.connect() as conn:
            for start in range(0, len(keys), KEYS_PER_QUERY):
                chunk = keys[start : start + KEYS_PER_QUERY]
                found |= set(conn.execute(sa.select(c.key).where(c.key.in_(chunk))).scalars())
        return found

    def value(self, name: str) -> int:
        """Counter `name` as it stands (0 if never bumped), without bumping it."""
        c = self.counters.c
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(c.value).where(c.name == name)).scalar()
        return int(found or 0)

    def next_series(self, genre: str) -> int:
        """The series number the genre's next pilot will most likely get (nothing is taken)."""
        return self.value(f"series:{genre}") + 1

    def next_value(self, name: str) -> int:
        """Increment counter `name` and return it: two callers never get the same value."""
        with self.engine.begin() as conn:
            return self._bump(conn, name)

    def _bump(self, conn: sa.Connection, name: str) -> int:
        """One atomic upsert (SQLite 3.35+ and Postgres): concurrent callers never collide."""
        c = self.counters.c
        statement = (
            self._insert(self.counters)
            .values(name=name, value=1)
            .on_conflict_do_update(index_elements=["name"], set_={"value": c.value + 1})
            .returning(c.value)
        )
        return int(conn.execute(statement).scalar_one())

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold a named lock for the block: writers of one gallery page take turns."""
        with self.engine.begin() as conn:
            if self.sqlite:
                conn.exec_driver_sql("UPDATE counters SET value = value WHERE 0")
            else:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
            yield


def _add_new_columns(conn: sa.Connection, table: sa.Table) -> None:
    """A catalog made by an earlier version gains the columns added since (empty in old rows)."""
    have = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    for column in table.columns:
        if column.name not in have:
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')


def _sqlite_pragmas(connection: object, _: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()
