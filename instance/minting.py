"""Minting episode slots: a new key, its release, and the requests that add and observe it.

The release cadence, the trend sensor and `microdrama render` all mint through here, so every
key names a real episode the moment it exists, with the release it will be made from.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import dagster as dg
import pandas as pd

from assets.partitions import episode_partitions
from assets.release import observation
from microdrama.catalog.catalog import Catalog
from microdrama.keys import EpisodeKey, parse_series
from microdrama.release import Release, default_seed, utc_now
from microdrama.words.story import pick_topic


class Minter:
    """Hands out new slots within one tick; `requests` and `observations` record them."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        catalog: Catalog,
        clock: Callable[[], str] = utc_now,
    ):
        self.instance, self.catalog, self.clock = instance, catalog, clock
        self.minted: list[Release] = []

    def _new_series(self, genre: str) -> EpisodeKey:
        """The genre's next series number. The counter lives with the catalog, so a number the
        instance or the media store already holds (a catalog made anew) is skipped."""
        while True:
            key = EpisodeKey(genre, self.catalog.db.next_value(f"series:{genre}"), 1)
            taken = self.instance.has_dynamic_partition(episode_partitions.name, str(key))
            if not taken and not self.catalog.store.series_dir(genre, key.series_id).exists():
                return key

    def pilot(
        self,
        genre: str,
        template_hash: str,
        reason: str,
        feed: pd.DataFrame | None = None,
        topic: str | None = None,
        seed: int | None = None,
        tropes: tuple[str, ...] | None = None,
    ) -> Release:
        """The first episode of a new series of `genre`, riding `topic` or a hot one of `feed`;
        `tropes`: its concept, where a policy chose one."""
        key = self._new_series(genre)
        return self._mint(key, template_hash, reason, feed, topic, seed, tropes)

    def next_episode(
        self,
        series_id: str,
        template_hash: str,
        reason: str,
        feed: pd.DataFrame | None = None,
        seed: int | None = None,
    ) -> Release:
        """The series' next episode: one after the last it has (made, catalogued or minted)."""
        genre, series = parse_series(series_id)
        folder = self.catalog.store.series_dir(genre, series_id)
        numbers = [EpisodeKey.parse(p.name).number for p in folder.glob(f"{series_id}-*")]
        numbers += self.catalog.db.rows(series=series_id)["episode_number"].astype(int).tolist()
        if not numbers:
            raise ValueError(f"series {series_id} has no episode yet; make its pilot first")
        key = EpisodeKey(genre, series, max(numbers) + 1)
        while self.instance.has_dynamic_partition(episode_partitions.name, str(key)):
            key = key.next()
        return self._mint(key, template_hash, reason, feed, None, seed)

    def _mint(
        self,
        key: EpisodeKey,
        template_hash: str,
        reason: str,
        feed: pd.DataFrame | None,
        topic: str | None,
        seed: int | None,
        tropes: tuple[str, ...] | None = None,
    ) -> Release:
        """The release of `key`, riding `topic` or a hot one of `feed` (or one picked later)."""
        seed = default_seed(key) if seed is None else seed
        if topic is None and feed is not None:
            topic = pick_topic(feed, random.Random(seed))
        inputs = {"template": template_hash}
        chosen = list(tropes) if tropes is not None else None
        made = Release(str(key), seed, topic, self.clock(), reason, inputs, chosen)
        self.minted.append(made)
        return made

    def requests(self) -> list[dg.AddDynamicPartitionsRequest]:
        keys = [made.key for made in self.minted]
        return [episode_partitions.build_add_request(keys)] if keys else []

    def observations(self) -> list[dg.AssetObservation]:
        return [observation(made) for made in self.minted]


def run_request(made: Release, **tags: str) -> dg.RunRequest:
    return dg.RunRequest(
        job_name="episode_job",
        partition_key=made.key,
        run_key=f"{made.reason}:{made.key}",
        tags={"microdrama/reason": made.reason, **tags},
    )
