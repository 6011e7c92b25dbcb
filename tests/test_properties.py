"""Properties over arbitrary text: subtitles, captions, keys and template text never misbehave."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microdrama.keys import UnsafeKeyError, check_key
from microdrama.picture.captions import CaptionPainter, Cue, to_srt, to_vtt
from microdrama.picture.fonts import font_for
from microdrama.words.template import TemplateError, load_template
from microdrama.words.text import one_line

SHORT = Path(__file__).parent / "fixtures" / "short-revenge.yaml"
# any character, with extra weight on the ones that break filters, paths and cue syntax
NASTY = st.sampled_from([*"'\"\\:;%{}[]<>&-\n\r\t/. ", "-->", "%{pts}", "\u202e", "🎬"])
TEXT = st.lists(st.one_of(st.characters(), NASTY), max_size=40).map("".join)


def vtt_cues(vtt: str) -> list[tuple[str, list[str]]]:
    """(timing line, text lines) per cue block of a WebVTT file."""
    assert vtt.startswith("WEBVTT\n\n")
    blocks = [b for b in vtt[len("WEBVTT\n\n") :].split("\n\n") if b.strip()]
    return [(b.split("\n")[0], b.strip("\n").split("\n")[1:]) for b in blocks]


@given(st.lists(TEXT, min_size=1, max_size=5))
def test_vtt_keeps_every_cue_literal_and_well_formed(texts: list[str]) -> None:
    cues = [Cue(i * 2.0, i * 2.0 + 1.5, text) for i, text in enumerate(texts)]
    expected = [one_line(t) for t in texts if one_line(t)]
    parsed = vtt_cues(to_vtt(cues))
    assert len(parsed) == len(expected)
    for (timing, lines), text in zip(parsed, expected, strict=True):
        assert timing.count("-->") == 1
        assert len(lines) == 1 and "-->" not in lines[0] and "<" not in lines[0]
        assert html.unescape(lines[0]) == text


@given(st.lists(TEXT, min_size=1, max_size=5))
def test_srt_has_one_block_per_spoken_cue(texts: list[str]) -> None:
    cues = [Cue(i * 2.0, i * 2.0 + 1.5, text) for i, text in enumerate(texts)]
    expected = [one_line(t) for t in texts if one_line(t)]
    blocks = [b.split("\n") for b in to_srt(cues).split("\n\n") if b.strip()]
    assert [b[2] for b in blocks] == expected
    assert [b[0] for b in blocks] == [str(i) for i in range(1, len(expected) + 1)]


@pytest.fixture(scope="module")
def painter() -> CaptionPainter:
    return CaptionPainter(font_for("en"), 360, 20)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_any_caption_paints_as_pixels_the_width_of_the_frame(
    painter: CaptionPainter, text: str
) -> None:
    strip = painter.paint(text or " ")
    assert strip.shape[1] == 360 and strip.shape[2] == 4


@given(st.one_of(TEXT, st.from_regex(r"[a-z0-9][a-z0-9_-]{0,70}", fullmatch=True)))
def test_a_key_is_refused_or_one_path_segment_inside_the_root(value: str) -> None:
    root = Path("/srv/media")
    try:
        key = check_key("genre", value)
    except UnsafeKeyError as exc:
        assert "genre key" in str(exc)
        return
    assert (root / key).resolve().parent == root
    assert key == value and "/" not in key and key not in (".", "..")


@settings(max_examples=40, deadline=None)
@given(TEXT)
def test_any_character_name_is_loaded_or_refused_naming_the_field(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    path = tmp_path_factory.mktemp("names") / "short-revenge.yaml"
    quoted = '"' + name.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    path.write_text(SHORT.read_text().replace("name: Lin Xia", f"name: {quoted}"))
    try:
        loaded = load_template(path)
    except TemplateError as exc:
        assert all(p.startswith("characters.0.name: ") for p in exc.problems), exc.problems
        return
    assert loaded.template.characters[0].name == name
