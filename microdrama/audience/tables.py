"""Where the learning loop keeps its tables in the media store, and how each is read and written.

Every table here is bounded by what is still earning, never by history: the snapshot state
(keys with a snapshot in KEEP_DAYS), the pending increments (since the last model update),
the episode figures (episodes with engagement in STATS_DAYS). The daily figures themselves go
to a parquet dataset partitioned by day, which pandas, pyarrow and DuckDB read directly.

Quarantined rows are the audit trail: each ingest appends its rejects, with their reason and
the ingest they came from, to a dataset partitioned by ingest day, and ingest days older than
the model's evidence window (WINDOW_DAYS) are dropped, so it is bounded like the rest.
"""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from microdrama.audience.engagement import empty_state, with_starts
from microdrama.audience.feed import STARTS
from microdrama.audience.model import WINDOW_DAYS, AudienceModel
from microdrama.media import MediaStore

STATS_DAYS = 60  # an episode's figures stay in the summary this long after its last play
QUARANTINE_DAYS = WINDOW_DAYS  # ingest days of rejected rows kept for the audit trail
EPISODE_COLUMNS = ["episode", "series", "genre", "plays", "completions", STARTS, "last_day"]


class AudienceTables:
    def __init__(self, store: MediaStore):
        self.store = store

    @property
    def dataset(self) -> Path:
        return self.store.root / "tables" / "engagement"

    @property
    def quarantine_dataset(self) -> Path:
        return self.store.root / "tables" / "engagement_quarantine"

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
        return with_starts(found) if found is not None else empty_state()

    def record_ingest(
        self,
        ingest: str,
        increments: pd.DataFrame,
        state: pd.DataFrame,
        quarantined: pd.DataFrame,
        ingest_day: str,
    ) -> None:
        """Write one ingest: its daily figures into the dataset and the pending queue, its
        rejects into the quarantine, then the new state last, so a crash before it leaves the
        ingest to be done again, not half-done."""
        for day, rows in increments.groupby("day"):
            path = self.dataset / f"day={day}" / f"{ingest}.parquet"
            self.store.write_table(rows.drop(columns=["day"]), path)
        queued = pd.concat([self.pending(), increments], ignore_index=True)
        self.store.write_table(queued, self.store.table_path("engagement_pending"))
        self.add_to_quarantine(ingest, ingest_day, quarantined)
        self.store.write_table(state, self.store.table_path("engagement_state"))

    def add_to_quarantine(self, ingest: str, ingest_day: str, rows: pd.DataFrame) -> None:
        """Append one ingest's rejected rows (as text, with `reason`) under its ingest day and
        drop ingest days older than QUARANTINE_DAYS. The cost is the days kept, not history."""
        folder = self.quarantine_dataset
        if not rows.empty:
            stamped = rows.astype(str).assign(ingest=ingest)
            self.store.write_table(stamped, folder / f"day={ingest_day}" / f"{ingest}.parquet")
        cutoff = (date.fromisoformat(ingest_day) - timedelta(days=QUARANTINE_DAYS)).isoformat()
        for old in folder.glob("day=*") if folder.is_dir() else []:
            if old.name.removeprefix("day=") < cutoff:
                self.store.remove_tree(old)

    def quarantine(self, since: str | None = None) -> pd.DataFrame:
        """Rejected rows of every ingest since the day `since` (all kept ones when None), with
        `ingest_day`, `ingest` and `reason`, oldest ingest first."""
        folder = self.store.fetch_files(self.quarantine_dataset)
        frames = [
            pd.read_parquet(path).assign(ingest_day=day.name.removeprefix("day="))
            for day in sorted(folder.glob("day=*") if folder.is_dir() else [])
            if since is None or day.name.removeprefix("day=") >= since
            for path in sorted(day.glob("*.parquet"))
        ]
        if not frames:
            return pd.DataFrame(columns=["ingest_day", "ingest", "reason", "row"])
        found = pd.concat(frames, ignore_index=True)
        return found.sort_values(["ingest_day", "ingest"], kind="stable").reset_index(drop=True)

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
        return with_starts(pd.concat(frames, ignore_index=True)) if frames else empty_state()

    def model(self) -> AudienceModel | None:
        raw = self.store.read_file(self.store.table_path("audience_model").with_suffix(".pkl"))
        return pickle.loads(raw) if raw is not None else None  # our own file, written below

    def save_model(self, model: AudienceModel) -> None:
        path = self.store.table_path("audience_model").with_suffix(".pkl")
        self.store.write_file(path, pickle.dumps(model))

    def episodes(self) -> pd.DataFrame:
        """Per episode: series, genre, plays, completions, next-episode starts (NaN where the
        feed never reported them), the last day it earned."""
        found = self._read("audience_episodes")
        if found is None:
            return pd.DataFrame(columns=EPISODE_COLUMNS).astype({STARTS: float})
        return with_starts(found)[EPISODE_COLUMNS]

    def add_to_episodes(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Fold evidence rows (episode x locale x day) into the per-episode figures."""
        merged = fold_episodes(self.episodes(), rows)
        self.store.write_table(merged, self.store.table_path("audience_episodes"))
        return merged


def fold_episodes(episodes: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Per-episode figures with evidence rows (episode x locale x day) added; episodes with no
    play in STATS_DAYS leave. Starts stay NaN where no row reported them."""
    keys = ["episode", "series", "genre"]
    rows = with_starts(rows)
    new = rows.groupby(keys, as_index=False).agg(
        plays=("plays", "sum"),
        completions=("completions", "sum"),
        **{STARTS: (STARTS, lambda s: s.sum(min_count=1))},
        last_day=("day", "max"),
    )
    both = pd.concat([with_starts(episodes), new], ignore_index=True)
    merged = both.groupby(keys, as_index=False).agg(
        plays=("plays", "sum"),
        completions=("completions", "sum"),
        **{STARTS: (STARTS, lambda s: s.sum(min_count=1))},
        last_day=("last_day", "max"),
    )
    if not merged.empty:
        newest = date.fromisoformat(str(merged["last_day"].max()))
        cutoff = (newest - timedelta(days=STATS_DAYS)).isoformat()
        merged = merged[merged["last_day"] >= cutoff]
    return merged[EPISODE_COLUMNS].reset_index(drop=True)
