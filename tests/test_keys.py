"""Partition keys become paths: unsafe ones are refused everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from microdrama.cli import main
from microdrama.keys import UnsafeKeyError, check_key
from microdrama.media import MediaStore

UNSAFE = ["../etc", "a/b", "a\\b", "..", "", "Revenge", "x" * 65, "-lead", "e 1", "é"]


@pytest.mark.parametrize("key", UNSAFE)
def test_unsafe_keys_are_refused(key: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafeKeyError):
        check_key("genre", key)
    with pytest.raises(UnsafeKeyError):
        MediaStore(tmp_path).episode_dir("revenge", key)


def test_safe_keys_pass() -> None:
    assert check_key("episode", "e0042") == "e0042"
    assert check_key("genre", "ceo-romance") == "ceo-romance"


def test_render_refuses_an_unsafe_genre(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--genre", "../../etc"]) == 1
    assert "is not allowed" in capsys.readouterr().err
