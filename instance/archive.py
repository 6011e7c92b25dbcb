"""Archiving episodes out of the instance, and choosing which ones retention archives.

An archived episode leaves the instance with its runs: Dagster rebuilds an asset's partition
status from every materialization it holds whenever a dynamic key is added (every 90 seconds), so
runs kept for archived episodes would make that cost grow with history. Each run is copied to the
media store (its record and event log, `archive/runs/<run id>.jsonl.gz`) before the instance
drops it, and only once every episode it made is archived.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from assets import EPISODE_ASSETS
from assets.partitions import episode_partitions
from microdrama.catalog.catalog import Catalog
from microdrama.catalog.retention import Retention, record_archive
from microdrama.gallery import pages
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore

PARTITION_TAG = "dagster/partition"
MAX_PER_TICK = 200  # archived per sensor tick; a backlog drains over several ticks


def lineage(instance: dg.DagsterInstance, keys: list[str]) -> dict[str, dict[str, dict]]:
    """key -> asset -> what its last materialization was: run, time, data and code version.

    One query per asset for all the keys, not one per key."""
    out: dict[str, dict[str, dict]] = {key: {} for key in keys}
    for asset in EPISODE_ASSETS:
        cursor = None
        missing = set(keys)
        while missing:
            found = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=asset.key, asset_partitions=sorted(missing)),
                limit=4 * len(missing),
                cursor=cursor,
            )
            for record in found.records:
                event = record.asset_materialization
                if event is None or event.partition not in missing:
                    continue
                missing.discard(event.partition)
                tags = event.tags or {}
                out[event.partition][asset.key.to_user_string()] = {
                    "run_id": record.run_id,
                    "at": datetime.fromtimestamp(record.timestamp, UTC).isoformat(),
                    "data_version": tags.get("dagster/data_version"),
                    "code_version": tags.get("dagster/code_version"),
                }
            if not found.has_more:
                break
            cursor = found.cursor
    return out


def due(instance: dg.DagsterInstance, policy: Retention) -> list[str]:
    """The oldest live keys beyond the window, at most MAX_PER_TICK of them.

    Keys come back in the order they were added (a restored episode counts as new), and the
    instance never holds more than the window, so this costs the same after a year."""
    keys = instance.get_dynamic_partitions(episode_partitions.name)
    if policy.count is not None:
        return list(keys[: max(0, len(keys) - policy.count)][:MAX_PER_TICK])
    cutoff = (datetime.now(UTC) - timedelta(days=policy.days or 0)).timestamp()
    oldest = list(keys[:MAX_PER_TICK])
    made = {
        key: summary["premise"]["at"]
        for key, summary in lineage(instance, oldest).items()
        if "premise" in summary
    }
    out = []
    for key in oldest:  # stop at the first key still inside the window
        if key not in made or datetime.fromisoformat(made[key]).timestamp() >= cutoff:
            break
        out.append(key)
    return out


def archive(
    instance: dg.DagsterInstance,
    catalog: Catalog,
    keys: list[str],
    locales: list[str],
    ui_url: str,
    player: Path = pages.PLAYER,
) -> dg.DeleteDynamicPartitionsRequest:
    """Record each episode's lineage summary in its folder, mark its catalog row and gallery
    card archived, move the runs that made only archived episodes to the store, and return the
    request that takes the keys out of the instance."""
    summaries = lineage(instance, keys)
    for key in keys:
        record_archive(catalog.store, EpisodeKey.parse(key), summaries[key])
    rows = catalog.set_status(keys, "archived")
    pages.update(catalog.store, catalog.db, rows, locales, ui_url, player)
    runs = {made["run_id"] for summary in summaries.values() for made in summary.values()}
    runs.update(instance.get_run_ids(dg.RunsFilter(tags={PARTITION_TAG: keys})))
    live = set(instance.get_dynamic_partitions(episode_partitions.name)) - set(keys)
    retire_runs(instance, catalog.store, runs, live)
    return episode_partitions.build_delete_request(keys)


def retire_runs(
    instance: dg.DagsterInstance, store: MediaStore, run_ids: set[str], live: set[str]
) -> None:
    """Copy each finished run that made none of the `live` episodes to the store, then delete it
    from the instance. A batched run that also made a live episode stays until that one is
    archived too."""
    if not run_ids:  # an empty filter would match every run
        return
    for run in instance.get_runs(dg.RunsFilter(run_ids=sorted(run_ids))):
        if not run.is_finished:
            continue
        run_id = run.run_id
        entries = instance.all_logs(run_id)
        made = {e.asset_materialization.partition for e in entries if e.asset_materialization}
        if made & live:
            continue
        lines = [dg.serialize_value(run), *(dg.serialize_value(e) for e in entries)]
        store.write_file(store.archived_run(run_id), gzip.compress("\n".join(lines).encode()))
        instance.delete_run(run_id)
