"""Where the learning loop keeps its tables in the media store, and how each is read and written.

Every table here is bounded by what is still earning, never by history: the snapshot state
(keys with a snapshot in KEEP_DAYS), the pending increments (since the last model update),
the episode figures (episodes with engagement in STATS_DAYS). The daily figures themselves go
to a parquet dataset partitioned by day, which pandas, pyarrow and DuckDB read directly.
"""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from microdrama.audience.engagement import empty_state
from microdrama.audience.model import AudienceModel
from microdrama.media import MediaStore

STATS_DAYS = 60  # an episode's figures stay in the summary this long after its last play


class AudienceTables:
    def __init__(self, store: MediaStore):
        self.store = store

    @property
    def dataset(self) -> Path:
        return self.store.root / "tables" / "engagement"

    def _read(self, name: str) -> pd.DataFrame | None:
        try:
            return self.store.read_table(self.store.table_path(name))
        except FileNotFoundError:
            return None

    def state(self) -> pd.DataFrame:
        found = self._read("engagement_state")
        return empty_state() if found is None else found

    def pending(self) -> pd.DataFrame:
        found = self._read("engagement_pending")
        return found if found is not None else empty_state()

    def record_ingest(
        self, ingest: str, increments: pd.DataFrame, state: pd.DataFrame, quarantined: pd.DataFrame
    ) -> None:
        """Write one ingest: its daily figures into the dataset and the pending queue, then the
        new state last, so a crash before it leaves the ingest to be done again, not half-done."""
        for day, rows in increments.groupby("day"):
            path = self.dataset / f"day={day}" / f"{ingest}.parquet"
            self.store.write_table(rows.drop(columns=["day"]), path)
        queued = pd.concat([self.pending(), increments], ignore_index=True)
        self.store.write_table(queued, self.store.table_path("engagement_pending"))
        self.store.write_table(quarantined, self.store.table_path("engagement_quarantine"))
        self.store.write_table(state, self.store.table_path("engagement_state"))

    def drain_pending(self) -> None:
        self.store.write_table(empty_state(), self.store.table_path("engagement_pending"))

    def window(self, newest: str, days: int) -> pd.DataFrame:
        """The daily figures of the `days` days up to `newest` (a model rebuilt from scratch)."""
        frames = []
        for n in range(days):
            day = (date.fromisoformat(newest) - timedelta(days=n)).isoformat()
            folder = self.store.fetch_files(self.dataset / f"day={day}")
            for path in sorted(folder.glob("*.parquet")):
                frames.append(pd.read_parquet(path).assign(day=day))
        return pd.concat(frames, ignore_index=True) if frames else empty_state()

    def model(self) -> AudienceModel | None:
        raw = self.store.read_file(self.store.table_path("audience_model").with_suffix(".pkl"))
        return pickle.loads(raw) if raw is not None else None  # our own file, written below

    def save_model(self, model: AudienceModel) -> None:
        path = self.store.table_path("audience_model").with_suffix(".pkl")
        self.store.write_file(path, pickle.dumps(model))

    def episodes(self) -> pd.DataFrame:
        """Per episode: series, genre, plays, completions, the last day it earned."""
        found = self._read("audience_episodes")
        columns = ["episode", "series", "genre", "plays", "completions", "last_day"]
        return found if found is not None else pd.DataFrame(columns=columns)

    def add_to_episodes(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Fold evidence rows (episode x locale x day) into the per-episode figures."""
        new = rows.groupby(["episode", "series", "genre"], as_index=False).agg(
            plays=("plays", "sum"), completions=("completions", "sum"), last_day=("day", "max")
        )
        both = pd.concat([self.episodes(), new], ignore_index=True)
        merged = both.groupby(["episode", "series", "genre"], as_index=False).agg(
            plays=("plays", "sum"), completions=("completions", "sum"), last_day=("last_day", "max")
        )
        if not merged.empty:
            newest = date.fromisoformat(str(merged["last_day"].max()))
            cutoff = (newest - timedelta(days=STATS_DAYS)).isoformat()
            merged = merged[merged["last_day"] >= cutoff]
        self.store.write_table(merged, self.store.table_path("audience_episodes"))
        return merged
