"""`microdrama migrate`: carry an instance and media root of the genre x episode scheme over.

The old scheme keyed an episode `e0042|revenge` (a slot shared by every genre) and kept it in
`episodes/<genre>/<slot>/`. Each such episode becomes the pilot of a series of its genre, in
slot order (`revenge-0001-01`, ...), its folder moves to the new layout, its premise and script
name the new key, and the instance learns the key with a release and a materialization of
each artifact at its content digest, so nothing looks stale and nothing is made again. The old
events stay in the instance, and each episode keeps `migrated.json`: its old key and what its
old lineage was. The old catalog file is kept beside the new catalog. Running it again finds
nothing more to do.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import dagster as dg

from assets.partitions import episode_partitions, genre_partitions
from assets.release import DATA_VERSION_TAG, observation
from instance.archive import lineage
from microdrama.catalog.catalog import Catalog
from microdrama.catalog.retention import episode_status
from microdrama.catalog.rows import ADDED_LATER
from microdrama.gallery import pages
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore, read_json, write_json
from microdrama.quality.gates import CHECKS
from microdrama.release import Release
from operations.render import open_instance
from operations.resources import resources

MIGRATED = "migrated.json"
OLD_SLOTS = "episode"  # the old scheme's dynamic partitions of episode slots
_SLOT = re.compile(r"^e\d{4,}$")


class MigrationError(RuntimeError):
    pass


def old_episodes(store: MediaStore) -> list[tuple[str, str]]:
    """(genre, slot) of every episode folder in the old layout, in slot order per genre."""
    found = []
    for premise in store.root.glob("episodes/*/*/premise/manifest.json"):
        genre, slot = premise.parts[-4], premise.parts[-3]
        if _SLOT.fullmatch(slot):
            found.append((genre, slot))
    return sorted(found)


def upgrade(ep_dir: os.PathLike, key: EpisodeKey, minted_at: str, store: MediaStore) -> None:
    """Premise and script name the new key (and the premise its mint time); both re-sealed."""
    premise_dir = store.root / ep_dir / "premise"
    premise = read_json(premise_dir / "premise.json")
    premise.pop("episode", None)
    premise.update(key=str(key), minted_at=minted_at)
    write_json(premise_dir / "premise.json", premise)
    store.write_manifest(premise_dir)
    script_dir = store.root / ep_dir / "script"
    script = read_json(script_dir / "script.json")
    script.pop("episode", None)
    script["key"] = str(key)
    write_json(script_dir / "script.json", script)
    store.write_manifest(script_dir)


def minted_time(instance: dg.DagsterInstance, old_key: str) -> str:
    """When the old episode's premise was first made, from the instance (else now)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("premise"), asset_partitions=[old_key]),
        limit=1,
        ascending=True,
    ).records
    stamp = records[0].timestamp if records else datetime.now(UTC).timestamp()
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def move(instance: dg.DagsterInstance, books: Catalog, genre: str, slot: str) -> EpisodeKey:
    """The old episode's folder at its new key, upgraded, with migrated.json written last."""
    store, old_key = books.store, f"{slot}|{genre}"
    while True:
        key = EpisodeKey(genre, books.db.next_value(f"series:{genre}"), 1)
        if not store.episode_dir(key).exists():
            break
    target = store.episode_dir(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    history = lineage(instance, [old_key])[old_key]
    minted_at = minted_time(instance, old_key)
    os.replace(store.root / "episodes" / genre / slot, target)
    upgrade(target.relative_to(store.root), key, minted_at, store)
    write_json(
        target / MIGRATED,
        {"from": old_key, "from_folder": f"episodes/{genre}/{slot}", "lineage": history},
    )
    return key


def register(instance: dg.DagsterInstance, books: Catalog, key: EpisodeKey) -> dict:
    """Tell the instance about a moved episode: its key, its release, each artifact at its
    digest (so nothing is stale or made again); then record its catalog row."""
    store, target = books.store, books.store.episode_dir(key)
    old_key = read_json(target / MIGRATED)["from"]
    premise = read_json(target / "premise" / "premise.json")
    made = Release(
        str(key),
        int(premise["seed"]),
        premise["topic"],
        premise["minted_at"],
        "migrated",
        {"template": premise["template_hash"]},
    )
    if not instance.has_dynamic_partition(genre_partitions.name, key.genre):
        instance.add_dynamic_partitions(genre_partitions.name, [key.genre])
    instance.report_runless_asset_event(observation(made))
    for stage in CHECKS:  # every gated artifact it has (a stage added since may be missing)
        if stage in ADDED_LATER and not (target / stage).is_dir():
            continue
        digest = store.read_manifest(target / stage).digest
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                stage,
                partition=str(key),
                tags={DATA_VERSION_TAG: digest},
                metadata={"migrated_from": old_key, "digest": digest},
            )
        )
    row = books.record(key)
    for asset in ("catalog", "gallery"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset, partition=str(key), metadata={"migrated_from": old_key})
        )
    instance.add_dynamic_partitions(episode_partitions.name, [str(key)])  # last: now it is done
    return {"from": old_key, "to": str(key), "row": row}


def migrate() -> dict:
    instance = open_instance()
    with resources("catalog", "localization") as built:
        books: Catalog = built.catalog.catalog()
        store = books.store
        if store.remote is not None:
            raise MigrationError(
                "migrate works on a local media root; copy the object store to a folder, "
                "migrate it, and copy it back"
            )
        for genre, slot in old_episodes(store):
            move(instance, books, genre, slot)
        pending = [  # moved, by this run or one that was interrupted, but not registered yet
            EpisodeKey.parse(path.parent.name)
            for path in sorted(store.root.glob(f"episodes/*/*/*/{MIGRATED}"))
            if not instance.has_dynamic_partition(episode_partitions.name, path.parent.name)
            and episode_status(store, EpisodeKey.parse(path.parent.name)) == "live"
        ]
        migrated = [register(instance, books, key) for key in pending]
        locales = built.localization.locale_list()
        rows = [m["row"] for m in migrated]
        pages.update(
            store, books.db, rows, locales, built.catalog.dagster_url, built.catalog.player()
        )
    old_catalog = store.root / "tables" / "catalog.parquet"
    kept = None
    if old_catalog.exists():
        kept = old_catalog.with_name("catalog-before-migration.parquet")
        os.replace(old_catalog, kept)
    slots = list(instance.get_dynamic_partitions(OLD_SLOTS))
    for slot in slots:  # the old scheme's slots name no episode any more; their events stay
        instance.delete_dynamic_partition(OLD_SLOTS, slot)
    return {
        "migrated": [{"from": m["from"], "to": m["to"]} for m in migrated],
        "old_slots_removed": len(slots),
        "old_catalog": str(kept) if kept else None,
        "catalog": str(store.root / "tables" / "catalog"),
        "gallery": str(store.root / "gallery" / "index.html"),
    }
