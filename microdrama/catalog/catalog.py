"""Recording episodes in both forms of the catalog, and rebuilding it from the media store."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from microdrama.catalog.database import CatalogDB
from microdrama.catalog.dataset import dataset_dir, frame, read_dataset, write_row
from microdrama.catalog.rows import FINAL_ARTIFACT, NotFinished, episode_row
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore
from microdrama.stages import Episode


@dataclass(frozen=True)
class Rebuilt:
    rows: int
    differences: list[str]  # keys whose rebuilt row differs from the incremental one, and why


@dataclass(frozen=True)
class Catalog:
    store: MediaStore
    db: CatalogDB

    def record(self, key: EpisodeKey) -> dict:
        """Write the finished episode's row (its own parquet file, its SQL row); return it."""
        row = episode_row(Episode(self.store, key))
        write_row(self.store, row)
        self.db.upsert([row])
        return row

    def set_status(self, keys: list[str], status: str) -> list[dict]:
        """Mark rows live or archived in both forms; return the rows changed."""
        self.db.set_status(keys, status)
        rows = self.db.rows(keys=keys).to_dict("records")
        for row in rows:
            write_row(self.store, row)
        return rows

    def table(self) -> pd.DataFrame:
        """The parquet dataset as pandas reads it (fetched first from an object store)."""
        return read_dataset(self.store.fetch_files(dataset_dir(self.store)))

    def rebuild(self) -> Rebuilt:
        """The catalog anew from every episode folder in the media store (a full scan), compared
        with the incremental catalog it replaces."""
        rows = []
        for key in self.store.made(FINAL_ARTIFACT):
            try:
                rows.append(episode_row(Episode(self.store, key)))
            except NotFinished:
                continue
        differences = compare(frame(rows), self.table())
        self.store.remove_tree(dataset_dir(self.store))
        for row in rows:
            write_row(self.store, row)
        self.db.replace_all(rows)
        return Rebuilt(len(rows), differences)


def compare(rebuilt: pd.DataFrame, incremental: pd.DataFrame) -> list[str]:
    """One line per key that is missing from either table or whose row differs."""
    a, b = rebuilt.set_index("key"), incremental.set_index("key")
    out = [
        f"{k}: missing from the incremental catalog" for k in sorted(set(a.index) - set(b.index))
    ]
    out += [f"{k}: not in the media store" for k in sorted(set(b.index) - set(a.index))]
    for key in sorted(set(a.index) & set(b.index)):
        changed = [c for c in a.columns if a.at[key, c] != b.at[key, c]]
        if changed:
            out.append(f"{key}: {', '.join(changed)} differ")
    return out
