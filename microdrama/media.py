"""The media store: every artifact of an episode under one root, written atomically.

Each artifact folder carries a `manifest.json` of content hashes; its digest is the data
version Dagster shows, so an unchanged artifact keeps its version across re-renders.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from microdrama.keys import check_key

MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temp path beside `final`; rename it into place only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, final)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_bytes(final: Path, data: bytes) -> Path:
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
    return final


def write_json(final: Path, payload: object) -> Path:
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)
    return write_bytes(final, text.encode("utf-8"))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Manifest:
    """What an artifact folder holds: relative path -> sha256, plus the digest of them all."""

    files: dict[str, str]

    @property
    def digest(self) -> str:
        lines = "\n".join(f"{name} {sha}" for name, sha in sorted(self.files.items()))
        return hashlib.sha256(lines.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class MediaStore:
    """Paths derived from the partition; nothing outside `root` is ever written."""

    root: Path

    def episode_dir(self, genre: str, episode: str) -> Path:
        return self.root / "episodes" / check_key("genre", genre) / check_key("episode", episode)

    def artifact_dir(self, genre: str, episode: str, artifact: str) -> Path:
        return self.episode_dir(genre, episode) / artifact

    def table_path(self, name: str) -> Path:
        return self.root / "tables" / f"{check_key('table', name)}.parquet"

    def template_table(self, genre: str | None = None) -> Path:
        """The templates table: a folder of one parquet file per genre (pandas reads it whole)."""
        folder = self.root / "tables" / "templates"
        return folder if genre is None else folder / f"{check_key('genre', genre)}.parquet"

    @contextmanager
    def staged(self, folder: Path) -> Iterator[Path]:
        """Build `folder` in a sibling staging dir; swap it in whole, with its manifest, on success.

        On failure the staging dir is removed and the previous `folder` is untouched.
        """
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new.", dir=folder.parent))
        os.chmod(staging, 0o755)
        try:
            yield staging
            self.write_manifest(staging)
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            if folder.exists():
                os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def write_manifest(self, folder: Path) -> Manifest:
        """Hash every file under `folder` (except the manifest) and store the manifest."""
        files = {
            str(path.relative_to(folder)): sha256_file(path)
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != MANIFEST and not path.name.startswith(".")
        }
        manifest = Manifest(files)
        write_json(folder / MANIFEST, {"files": files, "digest": manifest.digest})
        return manifest

    def read_manifest(self, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: materialize the upstream asset first")
        return Manifest(read_json(path)["files"])
