"""Nothing good is lost: refused, crashed and killed re-renders leave the last good episode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from conftest import SHORT_KEY, release

from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore, read_json, sha256_file

REPO = Path(__file__).resolve().parent.parent
RENDER_ARGS = ["--episode", SHORT_KEY, "--seed", "11"]  # as in conftest


def episode_dir(factory: dict[str, Path], key: str = SHORT_KEY) -> Path:
    return MediaStore(factory["MICRODRAMA_STORAGE"]).episode_dir(EpisodeKey.parse(key))


def run(job: str, partition: object = None, **kwargs: object) -> dg.ExecuteInProcessResult:
    from definitions import defs

    return defs.resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.get(), partition_key=partition, raise_on_error=False, **kwargs
    )


def catalog(factory: dict[str, Path]) -> pd.DataFrame:
    return pd.read_parquet(factory["MICRODRAMA_STORAGE"] / "tables" / "catalog")


def assert_intact(folder: Path) -> None:
    """Every file at a final path is in the manifest, with the manifest's hash."""
    manifest = read_json(folder / "manifest.json")["files"]
    on_disk = {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert on_disk == set(manifest)
    for name, sha in manifest.items():
        assert sha256_file(folder / name) == sha, name


def test_policy_hit_blocks_the_episode_and_keeps_the_last_good_one(
    rendered: dict, factory: dict[str, Path]
) -> None:
    before = sha256_file(episode_dir(factory) / "premise" / "premise.json")
    instance = dg.DagsterInstance.get()
    fresh = "short-revenge-0009-01"
    for key in (SHORT_KEY, fresh):
        release(key, topic="the Heroin trade", seed=11)
        outcome = run("episode_job", key)
        assert not outcome.success
        checks = outcome.get_asset_check_evaluations()
        policy = next(c for c in checks if c.check_name == "content_policy")
        assert not policy.passed
        assert "topic contains blocked term 'heroin'" in policy.description
        succeeded = [e for e in outcome.all_events if e.event_type_value == "STEP_SUCCESS"]
        assert succeeded == []  # the premise was refused, so nothing downstream ran
    key = dg.AssetCheckKey(dg.AssetKey("premise"), "content_policy")
    latest = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)[0]
    assert latest.status.value == "FAILED"
    assert sha256_file(episode_dir(factory) / "premise" / "premise.json") == before
    assert not (episode_dir(factory, fresh) / "premise").exists()
    rows = catalog(factory)
    assert SHORT_KEY in set(rows["key"]) and fresh not in set(rows["key"])
    release(SHORT_KEY, topic=None, seed=11)  # the episode's own release again, for later tests


def test_a_crashed_ffmpeg_is_retried(
    rendered: dict, factory: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = tmp_path / "crashed"
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    real = subprocess.run(["which", "ffmpeg"], capture_output=True, text=True).stdout.strip()
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ ! -e "{flag}" ]; then : > "{flag}"; echo "simulated crash" >&2; kill -SEGV $$; fi\n'
        f'exec "{real}" "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    outcome = run(
        "episode_job",
        SHORT_KEY,
        asset_selection=[dg.AssetKey("cut")],
    )
    assert flag.exists()
    assert outcome.success
    retried = [e for e in outcome.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert [e.step_key for e in retried] == ["cut"]
    assert_intact(episode_dir(factory) / "cut")


def test_a_killed_rerender_leaves_the_last_good_episode(
    rendered: dict, factory: dict[str, Path]
) -> None:
    folder = episode_dir(factory)
    video = folder / "cut" / "timeline.json"
    inode, row = video.stat().st_ino, catalog(factory).set_index("key").loc[SHORT_KEY]
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "microdrama"), "render", *RENDER_ARGS],
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not list(folder.glob(".cut.new.*")):
            assert proc.poll() is None, "the render ended before its cut started"
            assert time.monotonic() < deadline, "no cut started within 180 s"
            time.sleep(0.05)
        time.sleep(0.5)  # into the encode
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert video.stat().st_ino == inode  # the cut in place is the one from before the kill
    for artifact in ("cut", "localized"):
        assert_intact(folder / artifact)
    assert not list(folder.glob("cut/.*")) and not list(folder.glob("localized/**/.*"))
    assert list(folder.glob(".cut.new.*"))  # the killed staging dir, hidden until swept
    after = catalog(factory).set_index("key").loc[SHORT_KEY]
    assert after["versions"] == row["versions"]
