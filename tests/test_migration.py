"""`microdrama migrate` carries a store of the genre x episode scheme over, nothing lost."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from conftest import FIXTURES, REPO, environment

from commands.cli import main
from microdrama.media import read_json, sha256_file

LEGACY = FIXTURES / "legacy" / "store.tar.xz"
MOVES = {
    "e0001|short-revenge": "short-revenge-0001-01",
    "e0002|short-revenge": "short-revenge-0002-01",
    "e0001|short-twin": "short-twin-0001-01",
}


def media_hashes(root: Path) -> dict[str, str]:
    """Every media file (not the JSON that names keys) by its path inside its episode."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".mp4", ".wav", ".png", ".jpg", ".srt", ".vtt"):
            out[path.relative_to(root).as_posix()] = sha256_file(path)
    return out


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("legacy")
    with tarfile.open(LEGACY) as archive:
        archive.extractall(root, filter="data")
    templates = root / "templates"
    shutil.copy(FIXTURES / "short-revenge.yaml", templates)  # the current schema, to re-render
    twin = (
        (FIXTURES / "short-revenge.yaml")
        .read_text()
        .replace("genre: short-revenge", "genre: short-twin")
    )
    (templates / "short-twin.yaml").write_text(twin)
    before = {
        old: media_hashes(root / "storage" / "episodes" / old.split("|")[1] / old.split("|")[0])
        for old in MOVES
    }
    env = {
        "DAGSTER_HOME": root / "dagster_home",
        "MICRODRAMA_STORAGE": root / "storage",
        "MICRODRAMA_TEMPLATES": templates,
        "MICRODRAMA_TRENDS": REPO / "data" / "trends.csv",
        "MICRODRAMA_LOCALES": "en,es",
    }
    with environment(env):
        yield {"root": root, "before": before}


def test_migrate_carries_every_episode_over(legacy: dict, capsys: pytest.CaptureFixture) -> None:
    root = legacy["root"]
    assert main(["migrate"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {m["from"]: m["to"] for m in report["migrated"]} == MOVES
    storage = root / "storage"
    for old, new in MOVES.items():
        genre = new.rsplit("-", 2)[0]
        folder = storage / "episodes" / genre / new.rsplit("-", 1)[0] / new
        assert media_hashes(folder) == legacy["before"][old]  # every media file, unchanged
        assert not (storage / "episodes" / genre / old.split("|")[0]).exists()
        assert read_json(folder / "premise" / "premise.json")["key"] == new
        assert read_json(folder / "script" / "script.json")["key"] == new
        assert read_json(folder / "migrated.json")["from"] == old
        for artifact in ("premise", "script"):
            manifest = read_json(folder / artifact / "manifest.json")["files"]
            assert all(sha256_file(folder / artifact / n) == h for n, h in manifest.items())

    instance = dg.DagsterInstance.get()
    assert sorted(instance.get_dynamic_partitions("episodes")) == sorted(MOVES.values())
    assert instance.get_dynamic_partitions("episode") == []  # the old slots name nothing now
    for old, new in MOVES.items():
        premise = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("cut"), asset_partitions=[new]), limit=1
        ).records[0]
        folder = Path(next(storage.rglob(f"{new}/cut/manifest.json"))).parent
        digest = read_json(folder / "manifest.json")["digest"]
        assert premise.asset_materialization.tags["dagster/data_version"] == digest
        history = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("cut"), asset_partitions=[old]), limit=1
        )
        assert history.records  # the old events stay in the instance
    catalog = pd.read_parquet(storage / "tables" / "catalog")
    assert sorted(catalog["key"]) == sorted(MOVES.values())
    old_rows = pd.read_parquet(storage / "tables" / "catalog-before-migration.parquet")
    assert len(old_rows) == 3  # kept beside the new catalog
    assert main(["catalog", "--rebuild"]) == 0  # the media store agrees with the catalog
    index = (storage / "gallery" / "data" / "index.js").read_text()
    assert '"episodes":3' in index

    assert main(["migrate"]) == 0  # a second run has nothing to do
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["migrated"] == []


def test_a_migrated_episode_renders_again(legacy: dict) -> None:
    from operations.render import render

    made = render(None, "short-revenge-0002-01", None)
    premise = json.loads(Path(made["cut"]).parent.joinpath("premise", "premise.json").read_text())
    assert premise["seed"] == 4 and premise["key"] == "short-revenge-0002-01"  # its old seed
    assert set(made["subtitles"]) == {"en", "es"}
