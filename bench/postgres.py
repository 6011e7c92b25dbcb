"""A scratch database on a PostgreSQL server, for the benchmarks and tests that need one."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator


@contextlib.contextmanager
def scratch_database(prefix: str, **server: object) -> Iterator[str]:
    """The name of a fresh database on `server` (psycopg2's connection arguments), dropped
    afterwards along with any session still connected to it."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", connect_timeout=10, **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def vacuum_unless_automatic(name: str, **server: object) -> bool:
    """VACUUM (ANALYZE) database `name` if the server has autovacuum off; return whether it
    ran. Retention deletes rows every tick: left to bloat, every scan of them grows with
    history, which a default server's autovacuum prevents."""
    import psycopg2

    connection = psycopg2.connect(dbname=name, connect_timeout=10, **server)
    connection.autocommit = True  # VACUUM runs outside a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] == "on":
                return False
            cursor.execute("VACUUM (ANALYZE)")
            return True
    finally:
        connection.close()
