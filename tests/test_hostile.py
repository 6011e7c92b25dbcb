"""Malformed and hostile input: a clear message naming file and field, or a literal rendering."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from conftest import release

from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore, read_json
from microdrama.trends.feed import TrendFeedError, read_trend_feed
from microdrama.words.template import MAX_FILE_BYTES, TemplateError, load_template, load_templates

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
SHORT = Path(__file__).parent / "fixtures" / "short-revenge.yaml"


def expected_template_errors() -> list[tuple[str, str]]:
    rows = (HOSTILE / "templates" / "expected.txt").read_text().splitlines()
    return [tuple(p.strip() for p in row.split("|", 1)) for row in rows if not row.startswith("#")]


@pytest.mark.parametrize(("name", "fragment"), expected_template_errors())
def test_malformed_template_names_file_and_field(name: str, fragment: str) -> None:
    path = HOSTILE / "templates" / name
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert fragment in message, message


def test_every_corpus_file_is_covered() -> None:
    listed = {name for name, _ in expected_template_errors()}
    assert listed == {p.name for p in (HOSTILE / "templates").glob("*.yaml")}


def test_oversized_template_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(SHORT.read_text() + "#" * MAX_FILE_BYTES)
    with pytest.raises(TemplateError, match=r"\(file\): \d+ bytes; a template is at most"):
        load_template(path)


def test_broken_templates_leave_other_genres_loadable(tmp_path: Path) -> None:
    for path in (HOSTILE / "templates").glob("*.yaml"):
        shutil.copy(path, tmp_path)
    shutil.copy(SHORT, tmp_path)
    loaded, errors = load_templates(tmp_path)
    assert [t.template.genre for t in loaded] == ["short-revenge"]
    assert len(errors) == len(expected_template_errors())


def test_dirty_feed_rows_are_quarantined_with_reasons() -> None:
    usable, quarantined = read_trend_feed(HOSTILE / "feeds" / "dirty.csv")
    assert sorted(usable["topic"]) == [
        '\'; DROP TABLE trends; -- %{pts} {villain} \\ "quoted"',
        "a viral livestream",
        "an AI matchmaking app",
        "مسلسل قصير 🎬",
    ]
    assert quarantined["reason"].value_counts().to_dict() == {
        "duplicate of an earlier row": 1,
        "bad date": 1,
        "no topic": 1,
        "non-numeric score": 1,
        "score outside 0-1": 1,
        "control characters in topic": 1,
        "topic longer than 120 characters": 1,
    }
    assert quarantined.loc[quarantined["reason"] == "bad date", "row"].tolist() == [3]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("missing-column.csv", "missing column(s) score"),
        ("all-bad.csv", "no usable rows"),
        ("empty.csv", "cannot be read as a trend feed"),
        ("binary.csv", "cannot be read as a trend feed"),
    ],
)
def test_unusable_feed_names_the_file(name: str, fragment: str) -> None:
    path = HOSTILE / "feeds" / name
    with pytest.raises(TrendFeedError) as caught:
        read_trend_feed(path)
    assert str(caught.value).startswith(str(path)) and fragment in str(caught.value)


def test_trends_asset_reports_the_quarantine(tmp_path: Path) -> None:
    from assets.trends import trends
    from resources import MediaStoreResource, TrendFeed

    outcome = dg.materialize(
        [trends],
        resources={
            "media": MediaStoreResource(root=str(tmp_path)),
            "trend_feed": TrendFeed(path=str(HOSTILE / "feeds" / "dirty.csv")),
        },
    )
    metadata = outcome.asset_materializations_for_node("trends")[0].metadata
    assert metadata["rows"].value == 4
    assert metadata["quarantined"].value == 7
    kept = pd.read_parquet(tmp_path / "tables" / "trends_quarantine.parquet")
    assert len(kept) == 7 and "reason" in kept


def test_release_topic_with_a_newline_is_refused() -> None:
    from microdrama.release import Release

    with pytest.raises(ValueError, match="release topic: control characters"):
        Release("revenge-0001-01", 1, "a topic\n-vf drawtext", "2026-12-01T00:00:00", "test")


NAMES = {
    "heroine": 'O\'Brien: "The Boss" \\ %{pts} [x]; rm -rf / & <b>',
    "villain": "مريم الزهراء 🐍",
}
TOPIC = "../../escaped %{localtime} 'quoted'; -i /etc/passwd"


def test_hostile_names_and_topic_render_literally(
    factory: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quotes, colons, backslashes, %{...}, brackets, RTL and emoji reach captions as written."""
    from definitions import defs

    def quoted(value: str) -> str:  # a YAML single-quoted scalar
        return "'" + value.replace("'", "''") + "'"

    text = SHORT.read_text().replace("genre: short-revenge", "genre: hostile-names")
    text = text.replace("name: Lin Xia", f"name: {quoted(NAMES['heroine'])}")
    text = text.replace("name: Vivian Zhao", f"name: {quoted(NAMES['villain'])}")
    (factory["MICRODRAMA_TEMPLATES"] / "hostile-names.yaml").write_text(text)
    monkeypatch.setenv("MICRODRAMA_LOCALES", "en,es")
    instance = dg.DagsterInstance.get()
    instance.add_dynamic_partitions("genre", ["hostile-names"])
    key = "hostile-names-0007-01"
    release(key, topic=TOPIC, seed=4)  # its lines with these long names fit the 16 s template
    try:
        for job, partition in [
            ("templates_job", "hostile-names"),
            ("trends_job", None),
            ("episode_job", key),
        ]:
            outcome = defs.resolve_job_def(job).execute_in_process(
                instance=instance, partition_key=partition
            )
            assert outcome.success
    finally:
        (factory["MICRODRAMA_TEMPLATES"] / "hostile-names.yaml").unlink()
    episode = MediaStore(factory["MICRODRAMA_STORAGE"]).episode_dir(EpisodeKey.parse(key))
    script = read_json(episode / "script" / "script.json")
    assert script["topic"] == TOPIC
    srt = shown((episode / "localized" / "en" / "episode.srt").read_text())
    assert NAMES["heroine"] in srt  # the twist line names her
    vtt = shown((episode / "localized" / "en" / "episode.vtt").read_text())
    assert html.escape(NAMES["heroine"], quote=False) in vtt  # escaped, so no tag can open
    assert TOPIC in (episode / "premise" / "premise.json").read_text()
    assert not list(factory["MICRODRAMA_STORAGE"].parent.rglob("escaped*"))
    assert read_json(episode / "localized" / "summary.json")["es"]["seconds"] > 0


def shown(subtitles: str) -> str:
    """A sidecar's cue texts in order, one space apart: a long line is split over cues of two
    rows each, so a name may run from one cue into the next."""
    return " ".join(
        line
        for line in subtitles.splitlines()
        if line and "-->" not in line and not line.isdigit() and not line.startswith("WEBVTT")
    )
