"""The catalog as a parquet dataset: `tables/catalog/genre=<g>/day=<d>/<key>.parquet`.

One file per episode, in hive-style folders by genre and day, so pandas, pyarrow and DuckDB
read the folder as one table (and skip genres and days a query does not need). Recording an
episode writes only its own file: the cost is the same at the 100th episode and the 100,000th,
and concurrent runs never write the same file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from microdrama.catalog.rows import COLUMNS, PARTITION_COLUMNS
from microdrama.media import MediaStore

DATASET = "catalog"
_DTYPES = {str: "object", int: "int64", float: "float64"}
_EMPTY = {str: "", int: 0}
_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64()}
_FILE_COLUMNS = {k: t for k, t in COLUMNS.items() if k not in PARTITION_COLUMNS}
_FILE_SCHEMA = pa.schema([(name, _ARROW[kind]) for name, kind in _FILE_COLUMNS.items()])


def dataset_dir(store: MediaStore) -> Path:
    return store.root / "tables" / DATASET


def row_path(store: MediaStore, row: dict) -> Path:
    return (
        dataset_dir(store) / f"genre={row['genre']}" / f"day={row['day']}" / f"{row['key']}.parquet"
    )


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a table with the catalog's columns and types, sorted by key."""
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    # a row recorded before a column existed (or by a fixed-format genre) has it empty
    table = table.fillna({name: _EMPTY[kind] for name, kind in COLUMNS.items() if kind in _EMPTY})
    table = table.astype({name: _DTYPES[kind] for name, kind in COLUMNS.items()})
    return table.sort_values("key", ignore_index=True)


def write_row(store: MediaStore, row: dict) -> Path:
    """The episode's file (its genre and day are in the folder names, as hive partitions).

    Built with pyarrow, not pandas: one row through a DataFrame costs ten times as much, and
    the retention sensor rewrites hundreds of rows a tick."""
    columns = {name: [_typed(row.get(name), kind)] for name, kind in _FILE_COLUMNS.items()}
    return store.write_table(pa.table(columns, schema=_FILE_SCHEMA), row_path(store, row))


def _typed(value: object, kind: type) -> object:
    """The value as its column's type; missing, as `frame` fills it."""
    if value is None or (isinstance(value, float) and value != value):
        return _EMPTY.get(kind)
    return kind(value)


def read_dataset(path: Path) -> pd.DataFrame:
    """The whole dataset as one table, typed like `frame` (empty if nothing is recorded)."""
    if not path.exists() or not any(path.rglob("*.parquet")):
        return frame([])
    table = pd.read_parquet(path)
    for name in PARTITION_COLUMNS:
        table[name] = table[name].astype(str)
    return frame(table.to_dict("records"))
