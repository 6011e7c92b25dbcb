"""The media store: every artifact of an episode under one root, written atomically.

Each artifact folder carries a `manifest.json` of content hashes; its digest is the data
version Dagster shows, so an unchanged artifact keeps its version across re-renders.

The root is a local folder, or any fsspec URL (s3://, gs://, memory://). With a URL, work
happens in a local working copy (ffmpeg and espeak need real files) and every finished artifact
is published to the URL as an immutable version, `<artifact>/.versions/<digest>/`, followed by
the artifact's `manifest.json`, which names the current version. One object write is atomic
on every object store, so a reader sees the old version or the new one, never a mix, and an
upload that dies halfway leaves the last good version current.
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

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

from microdrama.keys import EpisodeKey, check_key

MANIFEST = "manifest.json"
VERSIONS = ".versions"
LOCAL_PROTOCOLS = ("", "file", "local")


class MediaStoreError(RuntimeError):
    pass


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _sweep_abandoned(folder: Path) -> None:
    """Remove staging dirs of `folder` left by killed processes (named by their pid)."""
    for staging in folder.parent.glob(f".{folder.name}.new.*"):
        pid = staging.name[len(f".{folder.name}.new.") :].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


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
    """Paths derived from the partition; nothing outside `root` is ever written.

    `root` is where files are read and written locally; `remote`, when set, is the object
    store they are published to and fetched from.
    """

    root: Path
    remote: UPath | None = None

    @classmethod
    def at(cls, location: str, cache: Path) -> MediaStore:
        """The store at a local path or fsspec URL; a URL gets a working copy under `cache`."""
        url = UPath(location)
        if url.protocol in LOCAL_PROTOCOLS:
            return cls(Path(url.path).expanduser().resolve())
        key = hashlib.sha256(str(url).encode()).hexdigest()[:12]
        return cls((cache / key).resolve(), url)

    def series_dir(self, genre: str, series_id: str) -> Path:
        return self.root / "episodes" / check_key("genre", genre) / check_key("series", series_id)

    def episode_dir(self, key: EpisodeKey) -> Path:
        """episodes/<genre>/<series>/<key>/, e.g. episodes/revenge/revenge-0042/revenge-0042-03/."""
        return self.series_dir(key.genre, key.series_id) / str(key)

    def artifact_dir(self, key: EpisodeKey, artifact: str) -> Path:
        return self.episode_dir(key) / artifact

    def relative(self, path: Path) -> str:
        """`path` relative to the root, as tables and pages store it (portable across roots)."""
        return path.relative_to(self.root).as_posix()

    def archived_run(self, run_id: str) -> Path:
        """archive/runs/<run id>.jsonl.gz: a run retention took out of the Dagster instance."""
        return self.root / "archive" / "runs" / f"{check_key('run', run_id)}.jsonl.gz"

    def table_path(self, name: str) -> Path:
        return self.root / "tables" / f"{check_key('table', name)}.parquet"

    def template_table(self, genre: str) -> Path:
        """One genre's row of the templates table (a folder of one parquet file per genre)."""
        return self.root / "tables" / "templates" / f"{check_key('genre', genre)}.parquet"

    def write_file(self, path: Path, data: bytes) -> Path:
        """One small file (a page, a lineage record) written atomically, and published."""
        write_bytes(path, data)
        if self.remote is not None:
            self._put(path, self._remote(path))
        return path

    def read_file(self, path: Path) -> bytes | None:
        """The file's bytes, fetched from the object store when there is one; None if absent."""
        if self.remote is not None and self._remote(path).exists():
            with atomic_path(path) as tmp:
                self._remote(path).fs.get_file(self._remote(path).path, str(tmp))
        return path.read_bytes() if path.exists() else None

    def fetch_files(self, folder: Path) -> Path:
        """Every file the object store holds under `folder`, copied here (a dataset to read)."""
        base = self._remote(folder) if self.remote is not None else None
        if base is not None and base.exists():
            for remote in base.rglob("*"):
                if remote.is_file():
                    self.read_file(folder / remote.path[len(base.path) :].lstrip("/"))
        return folder

    def remove_tree(self, folder: Path) -> None:
        """Remove a folder of derived files (a table being rebuilt), here and remotely."""
        shutil.rmtree(folder, ignore_errors=True)
        if self.remote is not None and self._remote(folder).exists():
            self._remote(folder).fs.rm(self._remote(folder).path, recursive=True)

    def write_table(self, frame: pd.DataFrame | pa.Table, path: Path) -> Path:
        with atomic_path(path) as tmp:
            if isinstance(frame, pa.Table):
                pq.write_table(frame, tmp)
            else:
                frame.to_parquet(tmp, index=False)
        if self.remote is not None:
            self._put(path, self._remote(path))
        return path

    def read_table(self, path: Path) -> pd.DataFrame:
        if self.remote is not None and self._remote(path).exists():
            with atomic_path(path) as tmp:
                self._remote(path).fs.get_file(self._remote(path).path, str(tmp))
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist: materialize its asset first")
        return pd.read_parquet(path)

    @contextmanager
    def _swapped(self, folder: Path) -> Iterator[Path]:
        """Build `folder` in a sibling staging dir and swap it in whole if the block succeeds.

        On failure the staging dir is removed and the previous `folder` is untouched.
        """
        folder.parent.mkdir(parents=True, exist_ok=True)
        _sweep_abandoned(folder)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.new.{os.getpid()}.", dir=folder.parent)
        )
        os.chmod(staging, 0o755)
        try:
            yield staging
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            if folder.exists():
                os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @contextmanager
    def staged(self, folder: Path) -> Iterator[Path]:
        """Build an artifact folder aside; swap it in, with its manifest, and publish it."""
        with self._swapped(folder) as staging:
            yield staging
            self.write_manifest(staging)
        self.publish(folder)

    def write_manifest(self, folder: Path) -> Manifest:
        """Hash every file under `folder` (except the manifest) and store the manifest."""
        files = {
            path.relative_to(folder).as_posix(): sha256_file(path)
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

    def _remote(self, local: Path) -> UPath:
        assert self.remote is not None
        return self.remote / local.relative_to(self.root).as_posix()

    def _put(self, local: Path, remote: UPath) -> None:
        remote.parent.mkdir(parents=True, exist_ok=True)
        remote.fs.put_file(str(local), remote.path)

    def publish(self, folder: Path) -> None:
        """Upload a finished artifact as a new version, then point its manifest at it."""
        if self.remote is None:
            return
        manifest = read_json(folder / MANIFEST)
        target = self._remote(folder)
        version = target / VERSIONS / manifest["digest"]
        for name in manifest["files"]:
            self._put(folder / name, version / name)
        pointer = target / MANIFEST
        previous = json.loads(pointer.read_text()) if pointer.exists() else None
        pointer.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
        keep = {manifest["digest"], previous and previous["digest"]}
        if (target / VERSIONS).exists():
            for old in (target / VERSIONS).iterdir():
                if old.name not in keep:
                    old.fs.rm(old.path, recursive=True)

    def fetch(self, folder: Path) -> Path:
        """The artifact folder, brought up to date with the object store's current version."""
        if self.remote is None or not (self._remote(folder) / MANIFEST).exists():
            return folder
        manifest = json.loads((self._remote(folder) / MANIFEST).read_text())
        local = folder / MANIFEST
        if local.exists() and read_json(local)["digest"] == manifest["digest"]:
            return folder
        version = self._remote(folder) / VERSIONS / manifest["digest"]
        with self._swapped(folder) as staging:
            for name, sha in manifest["files"].items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                version.fs.get_file((version / name).path, str(staging / name))
                if sha256_file(staging / name) != sha:
                    raise MediaStoreError(f"{version / name}: content does not match its manifest")
            write_json(staging / MANIFEST, manifest)
        return folder

    def made(self, artifact: str) -> list[EpisodeKey]:
        """Every episode that has `artifact`, here or in the object store (a full scan: for the
        consistency and migration commands, never for a sensor or an asset)."""
        pattern = f"episodes/*/*/*/{artifact}/{MANIFEST}"
        found = {p.relative_to(self.root).parts[3] for p in self.root.glob(pattern)}
        if self.remote is not None:
            found |= {p.path.split("/")[-3] for p in self.remote.glob(pattern)}
        return sorted(EpisodeKey.parse(key) for key in found)
