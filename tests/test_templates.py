"""Template validation: every shipped genre is valid; every problem names its file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from commands.cli import main
from microdrama.words.template import BEATS, TemplateError, load_template, load_templates

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "templates"


def test_six_shipped_genres_are_valid() -> None:
    loaded, errors = load_templates(SHIPPED)
    assert errors == []
    genres = {t.template.genre for t in loaded}
    assert genres >= {
        "revenge",
        "ceo-romance",
        "rebirth",
        "hidden-identity",
        "werewolf-romance",
        "palace-intrigue",
    }
    for t in loaded:
        assert next(b.beat for b in t.template.beats if b.beat in BEATS) == "hook"
        assert {b.beat for b in t.template.beats} == set(BEATS)


def broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((SHIPPED / "revenge.yaml").read_text())
    change(data)
    path = tmp_path / "revenge.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


CASES = {
    "unknown field": (lambda d: d.update(colour="red"), "colour: Extra inputs are not permitted"),
    "missing field": (lambda d: d.pop("runtime_seconds"), "runtime_seconds: Field required"),
    "bad color": (
        lambda d: d["characters"][0]["look"].update(hair="black"),
        "characters.0.look.hair: String should match pattern",
    ),
    "wrong type": (lambda d: d.update(shot_count="twelve"), "shot_count: Input should be a valid"),
    "unknown speaker": (
        lambda d: d["beats"][0]["shots"][0]["lines"][0].update(speaker="ghost"),
        "beats.0.shots.0.lines.0.speaker: unknown character 'ghost'",
    ),
    "unknown slot": (
        lambda d: d["beats"][0]["shots"][0]["lines"][0]["say"].append("Hi {nobody}"),
        "beats.0.shots.0.lines.0.say: unknown slot(s) ['nobody']",
    ),
    "empty list": (lambda d: d.update(titles=[]), "titles: List should have at least 1 item"),
    "huge value": (lambda d: d.update(runtime_seconds=10**9), "runtime_seconds: Input should be"),
    "unsafe key": (lambda d: d.update(genre="../etc"), "genre: genre key '../etc' is not allowed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_errors_name_file_and_field(tmp_path: Path, case: str) -> None:
    change, expected = CASES[case]
    path = broken(tmp_path, change)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(path) in str(caught.value)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "oops.yaml"
    path.write_text("genre: oops\ntitles: [unclosed\n")
    with pytest.raises(TemplateError, match=r"oops.yaml: line \d+, column \d+: not valid YAML"):
        load_template(path)


def test_genre_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text((SHIPPED / "revenge.yaml").read_text())
    with pytest.raises(TemplateError, match="genre: 'revenge' must match the file name 'other'"):
        load_template(path)


def test_one_broken_template_leaves_the_others_usable(tmp_path: Path) -> None:
    for name in ("revenge.yaml", "rebirth.yaml"):
        (tmp_path / name).write_text((SHIPPED / name).read_text())
    (tmp_path / "rebirth.yaml").write_text("genre: rebirth\n")
    loaded, errors = load_templates(tmp_path)
    assert [t.template.genre for t in loaded] == ["revenge"]
    assert [e.path.name for e in errors] == ["rebirth.yaml"]


def test_validate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--templates", str(SHIPPED)]) == 0
    broken(tmp_path, lambda d: d["characters"][0]["voice"].update(pitch=500))
    assert main(["validate", "--templates", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'revenge.yaml'}: characters.0.voice.pitch:" in out
