"""A media root on a non-local fsspec filesystem (memory://) round-trips with the same manifests
and hashes as a local one; an upload that dies halfway leaves the last good version current."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from microdrama.catalog.dataset import dataset_dir, read_dataset
from microdrama.catalog.rows import episode_row
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore, read_json
from microdrama.quality.gates import CHECKS
from microdrama.stages import Episode
from operations.render import render

KEY, SEED = EpisodeKey("short-revenge", 3, 1), 4


def render_into(storage: str, cache: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("MICRODRAMA_STORAGE", storage)
    monkeypatch.setenv("MICRODRAMA_CACHE", str(cache))
    monkeypatch.setenv("MICRODRAMA_LOCALES", "en,es")
    return render(None, str(KEY), SEED)


SIGNED = (".c2pa", ".mp4")  # a C2PA signature carries its signing time: never the same twice


def unsigned(manifest: dict) -> dict[str, str]:
    """A manifest's files but those that carry a content credential."""
    return {name: digest for name, digest in manifest["files"].items() if not name.endswith(SIGNED)}


def test_memory_media_root_matches_a_local_one(
    factory: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"memory://media-{uuid.uuid4().hex[:8]}/prod"
    render_into(str(tmp_path / "local"), tmp_path / "unused", monkeypatch)
    render_into(url, tmp_path / "cache", monkeypatch)

    local = MediaStore(tmp_path / "local")
    fresh = MediaStore.at(url, tmp_path / "fresh-cache")  # another machine: nothing cached
    assert fresh.remote is not None and not fresh.root.exists()
    relative = local.episode_dir(KEY).relative_to(local.root).as_posix()
    for artifact in CHECKS:
        mine = read_json(Episode(local, KEY).dir(artifact) / "manifest.json")
        theirs = read_json(Episode(fresh, KEY).fetch(artifact) / "manifest.json")
        assert unsigned(theirs) == unsigned(mine), artifact
        assert (fresh.remote / relative / artifact / "manifest.json").exists()
    assert (fresh.episode_dir(KEY) / "cut" / "video" / "720p" / "index.m3u8").stat().st_size
    theirs, mine = (json.loads(episode_row(Episode(s, KEY))["versions"]) for s in (fresh, local))
    signed = ("cut", "localized")  # their digests cover content credentials (see SIGNED)
    assert {a: v for a, v in theirs.items() if a not in signed} == {
        a: v for a, v in mine.items() if a not in signed
    }
    assert read_dataset(fresh.fetch_files(dataset_dir(fresh)))["key"].tolist() == [str(KEY)]


def test_a_dead_upload_leaves_the_last_good_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"memory://media-{uuid.uuid4().hex[:8]}"
    writer = MediaStore.at(url, tmp_path / "writer")
    folder = writer.episode_dir(EpisodeKey("g", 1, 1)) / "cut"
    with writer.staged(folder) as tmp:
        (tmp / "episode.srt").write_text("first")
        (tmp / "timeline.json").write_text("{}")

    upload, uploaded = MediaStore._put, []

    def dies_after_one(store: MediaStore, local: Path, remote: object) -> None:
        uploaded.append(local)
        if len(uploaded) > 1:
            raise ConnectionError("upload interrupted")
        upload(store, local, remote)

    monkeypatch.setattr(MediaStore, "_put", dies_after_one)
    with pytest.raises(ConnectionError), writer.staged(folder) as tmp:
        (tmp / "episode.srt").write_text("second")
        (tmp / "timeline.json").write_text('{"v": 2}')
    monkeypatch.undo()
    assert len(uploaded) == 2  # one file of the new version went up, then the upload died

    reader = MediaStore.at(url, tmp_path / "reader")
    fetched = reader.fetch(reader.episode_dir(EpisodeKey("g", 1, 1)) / "cut")
    assert (fetched / "episode.srt").read_text() == "first"
