"""Episode keys: readable, parsed back exactly, and refused everywhere when unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.cli import main
from microdrama.keys import EpisodeKey, UnsafeKeyError, check_key, parse_series
from microdrama.media import MediaStore

UNSAFE = ["../etc", "a/b", "a\\b", "..", "", "Revenge", "x" * 65, "-lead", "e 1", "é"]


@pytest.mark.parametrize("key", UNSAFE)
def test_unsafe_keys_are_refused(key: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafeKeyError):
        check_key("genre", key)
    with pytest.raises(UnsafeKeyError):
        MediaStore(tmp_path).episode_dir(EpisodeKey(key, 1, 1))
    with pytest.raises(UnsafeKeyError):
        EpisodeKey.parse(f"{key}-0001-01")


@pytest.mark.parametrize(
    ("text", "genre", "series", "number"),
    [
        ("revenge-0042-03", "revenge", 42, 3),
        ("ceo-romance-0001-01", "ceo-romance", 1, 1),
        ("palace-intrigue-12345-100", "palace-intrigue", 12345, 100),  # numbers grow wider
        ("short-revenge-0007-12", "short-revenge", 7, 12),
    ],
)
def test_episode_keys_parse_back_exactly(text: str, genre: str, series: int, number: int) -> None:
    key = EpisodeKey.parse(text)
    assert (key.genre, key.series, key.number) == (genre, series, number)
    assert str(key) == text
    assert key.series_id == text.rsplit("-", 1)[0]
    assert parse_series(key.series_id) == (genre, series)
    assert str(key.next()) == f"{key.series_id}-{number + 1:02d}"


@pytest.mark.parametrize("text", ["revenge", "revenge-42-03", "revenge-0042", "0042-03", "e0001"])
def test_keys_that_name_no_episode_are_refused(text: str) -> None:
    with pytest.raises(UnsafeKeyError):
        EpisodeKey.parse(text)


def test_the_media_path_carries_genre_series_and_key(tmp_path: Path) -> None:
    folder = MediaStore(tmp_path).episode_dir(EpisodeKey.parse("revenge-0042-03"))
    assert folder == tmp_path / "episodes" / "revenge" / "revenge-0042" / "revenge-0042-03"


def test_render_refuses_an_unsafe_genre(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--genre", "../../etc"]) == 1
    assert "is not allowed" in capsys.readouterr().err
