"""Gates that judge the delivered files, and a feed that does not repeat itself (issue 32).

Each test measures what a viewer receives: the decoded AAC of a real HLS rendition (against
ffmpeg's own ebur128 true-peak reader), a burned-in frame read back by OCR (tesseract),
translations by the real engines' round trip, and the cadence's own pilots.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bidi import get_display
from conftest import tick
from PIL import Image

from microdrama.av.ffmpeg import run_ffmpeg
from microdrama.av.loudness import (
    MAX_TRUE_PEAK_DBTP,
    TARGET_LUFS,
    decode_audio,
    integrated_loudness,
    normalize,
    true_peak,
)
from microdrama.av.timing import ShotTiming
from microdrama.av.wav import write_wav
from microdrama.picture.captions import CaptionPainter, Cue, split_cues, visual_order
from microdrama.picture.compositor import VideoSettings, render
from microdrama.picture.fonts import font_for
from microdrama.quality.gates import cue_gates, translation_gate
from microdrama.streaming.checks import sound_gates
from microdrama.streaming.renditions import encode_sound
from microdrama.words.text import line_columns, reading_chars, reading_cps

SETTINGS = VideoSettings(fps=12)
RATE = 44100
REPO = Path(__file__).resolve().parent.parent


EBUR128 = ("-af", "ebur128=peak=true", "-f", "null", "-")


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's ebur128 filter reads the decoded file:
    the reference reader the gates are checked against."""
    log = subprocess.run(
        [*("ffmpeg", "-nostats", "-i", str(path), "-map", "0:a:0"), *EBUR128],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = log[log.rfind("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return lufs, peak


def hot_mix(seconds: float = 8.0) -> np.ndarray:
    """Dialogue-like tone and noise with square bursts: intersample peaks everywhere."""
    t = np.arange(round(seconds * RATE)) / RATE
    rng = np.random.default_rng(3)
    voice = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.7 * t))
    out = (voice + 0.15 * rng.standard_normal(t.size)).astype(np.float32)
    for at in (1.0, 3.5, 6.0):
        n = round(at * RATE)
        out[n : n + 400] += 0.8 * np.sign(np.sin(2 * np.pi * 5512.5 * t[:400] + 0.3))
    return out


def rendition(samples: np.ndarray, folder: Path) -> Path:
    write_wav(folder / "mix.wav", RATE, samples)
    return encode_sound(folder / "mix.wav", folder / "audio", SETTINGS)


def test_a_hot_mix_is_limited_to_minus_1_dbtp_on_the_decoded_rendition(tmp_path: Path) -> None:
    raw = hot_mix()
    gain = 10 ** ((TARGET_LUFS - integrated_loudness(raw, RATE)) / 20)
    scaled = np.clip(raw * gain, -1, 1)  # at the target, as the old mix was: no true-peak limit
    hot = rendition(scaled, tmp_path / "hot")
    _, hot_peak = ebur128(hot)
    assert hot_peak > MAX_TRUE_PEAK_DBTP  # the AAC rebuilds the waveform above the ceiling
    failing = {g.name: g for g in sound_gates(hot, 8.0)}["true_peak"]
    assert not failing.passed and "dBTP" in failing.reason

    limited = rendition(normalize(raw, RATE), tmp_path / "limited")
    lufs, peak = ebur128(limited)
    assert peak <= MAX_TRUE_PEAK_DBTP, peak
    assert abs(lufs - TARGET_LUFS) <= 1.0
    gates = {g.name: g for g in sound_gates(limited, 8.0)}
    assert all(g.passed for g in gates.values()), gates
    decoded = decode_audio(limited).reshape(-1, 1)
    assert abs(true_peak(decoded, 48000) - peak) <= 0.3  # our reader agrees with ffmpeg's
    assert abs(gates["true_peak"].metadata["dbtp"] - peak) <= 0.3


LONG = (
    "You signed the contract at midnight, you took the company and my name, "
    "and now you want me to smile for the cameras as if nothing happened at all."
)


@pytest.fixture(scope="module")
def painter() -> CaptionPainter:
    return CaptionPainter(font_for("en"), SETTINGS.width, SETTINGS.caption_px, line_columns("en"))


def test_a_long_cue_is_split_into_cues_of_two_rows_and_passes(painter: CaptionPainter) -> None:
    cue = Cue(1.0, 10.0, LONG)  # 146 characters in 9 s: readable, but not as one cue
    assert len(painter.wrap(LONG)) > 2  # as one cue it would run over the frame
    timeline = {"locale": "en", "cues": [cue.__dict__]}
    assert not {g.name: g for g in cue_gates(timeline, 10.0, painter)}["captions_fit"].passed

    split = split_cues([cue], painter, reading_cps("en"), 12.0)
    assert len(split) >= 3 and all(len(painter.wrap(c.text)) <= 2 for c in split)
    assert " ".join(c.text for c in split) == LONG  # nothing lost, in order
    assert split[0].start == 1.0 and split[-1].end == 10.0  # the line's own time, shared
    assert min(len(c.text) for c in split) >= 25  # evenly: no one-word orphan
    assert all(a.end <= b.start for a, b in itertools.pairwise(split))
    assert all(c.line == 0 for c in split)
    timeline = {"locale": "en", "cues": [c.__dict__ for c in split]}
    assert all(g.passed for g in cue_gates(timeline, 12.0, painter))


def test_a_fast_cue_is_held_into_the_pause_and_never_over_the_cut(painter: CaptionPainter) -> None:
    text = "Nobody leaves this room until I know who signed it."
    fast = Cue(0.5, 2.0, text)  # 51 characters in 1.5 s: 34 a second
    held = split_cues([fast, Cue(6.0, 7.0, "Then ask her.")], painter, 17.0, 10.0)
    line = [c for c in held if c.line == 0]
    assert line[-1].end == pytest.approx(0.5 + reading_chars(text) / 17.0, abs=0.01)
    cut = [c for c in split_cues([fast], painter, 17.0, 10.0, cuts=[2.5]) if c.line == 0]
    assert cut[-1].end == 2.5  # as long as the shot allows, then refused
    gates = {g.name: g for g in cue_gates({"locale": "en", "cues": [c.__dict__ for c in cut]}, 9)}
    assert (
        not gates["reading_speed"].passed and "characters a second" in gates["reading_speed"].reason
    )


def test_an_unsplittable_cue_is_refused(painter: CaptionPainter) -> None:
    word = "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaah!"  # one word wider than a row
    split = split_cues([Cue(0.0, 6.0, word)], painter, 17.0, 10.0)
    gates = {
        g.name: g for g in cue_gates({"locale": "en", "cues": [split[0].__dict__]}, 9, painter)
    }
    assert not gates["captions_fit"].passed and "wider than a row" in gates["captions_fit"].reason


def ocr_words(image: Path, language: str = "eng") -> pd.DataFrame:
    """tesseract's words with their boxes and line numbers (its TSV output) as a table."""
    out = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", language, "--psm", "6", "tsv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("\t") for line in out.strip().splitlines()]
    table = pd.DataFrame(rows[1:], columns=rows[0])
    table = table[table["text"].str.strip().astype(bool)]
    return table.astype({"left": int, "width": int, "line_num": int, "block_num": int})


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr (make test-packages)"
)


@needs_tesseract
def test_ocr_of_the_burned_in_frame_counts_two_rows_per_cue(
    tmp_path: Path, painter: CaptionPainter
) -> None:
    w, h = SETTINGS.width, SETTINGS.height
    still = tmp_path / "shot_00.png"
    Image.new("RGB", (w, h), (70, 90, 120)).save(still)
    write_wav(tmp_path / "mix.wav", RATE, np.zeros(4 * RATE, np.float32))
    cues = split_cues([Cue(0.5, 3.8, LONG)], painter, reading_cps("en"), 4.0)
    render(
        [still], ["wide"], [ShotTiming(0.0, 4.0, [0.5])], cues, "T", painter,
        tmp_path / "mix.wav", tmp_path / "episode.mp4", SETTINGS,
    )  # fmt: skip
    for n, cue in enumerate(cues):
        frame = tmp_path / f"frame{n}.png"
        at = (cue.start + cue.end) / 2
        crop = f"crop={w}:{h // 4}:0:{round(h * 0.68)}"
        video = tmp_path / "episode.mp4"
        run_ffmpeg(
            ["-ss", f"{at:.2f}", "-i", str(video), "-frames:v", "1", "-vf", crop, str(frame)]
        )
        words = ocr_words(frame)
        rows = words.groupby(["block_num", "line_num"]).ngroups
        assert rows == len(painter.wrap(cue.text)) and rows <= 2, (cue.text, words["text"].tolist())
        assert set(cue.text.split()[-1:]) & set(words["text"]), words["text"].tolist()


ARABIC_TOPIC = "مليونير سري"


@needs_tesseract
def test_an_arabic_topic_inside_an_english_line_keeps_the_sentence_order(tmp_path: Path) -> None:
    line = f"{ARABIC_TOPIC} can wait."  # an English line that opens on a hot Arabic topic
    painter = CaptionPainter(font_for("en"), SETTINGS.width, SETTINGS.caption_px, 42)
    strip = painter.paint(line)
    drawn = Image.fromarray(strip, "RGBA")
    background = Image.new("RGB", drawn.size, (60, 60, 60))
    background.paste(drawn, mask=drawn)
    background.save(tmp_path / "caption.png")
    words = ocr_words(tmp_path / "caption.png")
    found = words["text"].str.lower()
    assert {"can", "wait."} <= set(found), words["text"].tolist()
    can, wait = (words[found == w].iloc[0] for w in ("can", "wait."))
    assert can["left"] < wait["left"]  # "can wait." reads left to right ...
    ink = np.flatnonzero(strip[..., 3].max(axis=0) == 255)  # opaque glyph columns
    assert ink[0] < can["left"] - 40  # ... after the Arabic topic, which stands on its left
    assert wait["left"] + wait["width"] >= ink[-1] - 10  # and the full stop ends the row
    # the layout's glyph order is the Unicode bidi algorithm's at the English base direction
    assert visual_order(line).endswith("can wait.")
    assert get_display(line).startswith(".can wait")  # what a guessed (Arabic) base would do


def test_the_gallery_isolates_a_right_to_left_topic_in_its_titles() -> None:
    from microdrama.gallery.pages import entry

    row = {
        "key": "revenge-0001-01", "genre": "revenge", "series": "revenge-0001",
        "episode_number": 1, "minted_at": "2026-12-01", "seconds": 60.0, "status": "live",
        "title": f"{ARABIC_TOPIC} 2 Takes It All", "logline": f"While {ARABIC_TOPIC} 3 trends.",
        "topic": f"{ARABIC_TOPIC}", "poster": "p.jpg", "locales": "en", "package": "",
        "variants": "{}", "subtitles": "{}", "checks": "{}",
    }  # fmt: skip
    card = entry(row)
    shown = get_display(card["title"], base_dir="L")  # as a browser lays out an LTR page
    assert shown.index("2") > shown.index(get_display(ARABIC_TOPIC)[-1])  # "2" stays after it
    assert shown.rstrip().endswith("2 Takes It All")
    assert get_display(card["logline"], base_dir="L").startswith("While ")


apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium (make setup)")


@apertium
def test_a_known_bad_translation_is_caught_and_falls_back_to_the_beat() -> None:
    from microdrama.locales.translation import (
        MIN_QUALITY,
        Apertium,
        Localizer,
        Phrasebook,
        RoundTrip,
    )

    book = Phrasebook("es", {"Go, now!": "¡Vete, ya!"})
    localizer = Localizer("es", book, Apertium("eng-spa"), RoundTrip.for_locale("es"))
    lines = ["Run!", "I will never forgive you."]
    found = localizer.translate(lines, [{}, {}], lines, alternatives=[["Go, now!"], []])
    assert found[0].method == "fallback" and found[0].text == "¡Vete, ya!"  # not "¡Carrera!"
    assert found[0].quality is not None and found[0].quality < MIN_QUALITY
    assert found[1].method == "machine" and found[1].quality >= MIN_QUALITY

    alone = localizer.translate(["Run!"], [{}], ["Run!"], alternatives=[[]])[0]
    assert alone.method == "low_quality"  # no phrasebook line of its beat: the locale sits out
    record = [{"source": "Run!", "text": alone.text, "method": alone.method, "quality": 0.3}]
    gate = translation_gate(record, set())
    assert not gate.passed and "round trip" in gate.reason


def test_validate_lists_the_lines_a_locale_has_no_phrase_for(tmp_path: Path) -> None:
    from microdrama.locales.translation import phrase_gaps, phrasebook_locales
    from microdrama.words.template import load_template

    template = load_template(REPO / "tests" / "fixtures" / "short-revenge.yaml").template
    said = [s for b in template.beats for shot in b.shots for ln in shot.lines for s in ln.say]
    books = tmp_path / "phrasebook"
    books.mkdir()
    known = {said[0]: "你好。"} if "{" not in said[0] else {}
    (books / "zh-CN.yaml").write_text(
        json.dumps({"locale": "zh-CN", "phrases": known}, ensure_ascii=False), encoding="utf-8"
    )
    locales = phrasebook_locales(books)
    assert locales == ["es", "pt-BR", "zh-CN"]  # the phrasebook's and the machines'
    gaps = phrase_gaps(template, books, locales)
    assert gaps["zh-CN"] == [s for s in dict.fromkeys([*said, *template.titles]) if s not in known]
    assert gaps["es"] == gaps["pt-BR"]  # no phrasebook at all: every line is the machine's


def test_twenty_cadence_pilots_of_one_genre_spread_tropes_and_titles(world) -> None:
    from definitions import defs
    from microdrama.concepts.compile import episode_template
    from microdrama.concepts.series import draw_bible
    from microdrama.concepts.spread import MAX_SHARE, WINDOW, repeats
    from microdrama.keys import EpisodeKey
    from microdrama.release import Release, default_seed
    from microdrama.words.story import write_premise
    from resources import Localization, TemplateLibrary, TrendFeed
    from sensors.cadence import release_cadence
    from sensors.templates import template_sensor

    genre = "rebirth"  # the soak's: five of its six pilots ended on one cliffhanger
    for folder in (world["templates"], world["templates"] / "concepts"):
        for path in folder.glob("*.yaml"):
            if path.stem != genre:
                path.unlink()  # one live genre: its concepts, and its template as the fallback
    templates = TemplateLibrary(directory=str(world["templates"]))
    first = tick(template_sensor, world, templates=templates, catalog=world["catalog"])
    for request in first.run_requests:
        defs.resolve_job_def("templates_job").execute_in_process(
            instance=world["instance"], partition_key=request.partition_key
        )
    resources = {
        "media": world["media"],
        "catalog": world["catalog"],
        "trend_feed": TrendFeed(path=str(world["feed"])),
        "templates": templates,
        "localization": Localization(locales="en,es,pt-BR,zh-CN"),
    }
    cursor, keys = None, []
    for _ in range(WINDOW):  # an empty audience model: no engagement at all
        result = tick(release_cadence, world, cursor, **resources)
        cursor = result.cursor
        assert result.run_requests, result.skip_reason
        keys.append(result.run_requests[0].partition_key)
    log = world["catalog"].decisions().recent(100, kind="pilot")
    assert len(log) == WINDOW and set(log["genre"]) == {genre}
    pilots = [
        json.loads(next(c for c in found if c["chosen"])["features"])["tropes"]
        for found in log.sort_values("id")["candidates"]
    ]
    shares = repeats(pilots)
    assert max(shares.values()) <= MAX_SHARE, shares  # no beat's trope in over 5 of the 20
    assert len({p["cliffhanger"] for p in pilots}) >= 4

    library, space = templates.concepts(), templates.space()
    titles = []
    for key, tropes in zip(keys, pilots, strict=True):
        episode = EpisodeKey.parse(key)
        bible = draw_bible(library, episode)
        combo = tuple(tropes[b] for b in ("hook", "setup", "twist", "confrontation", "cliffhanger"))
        template = episode_template(library, space.pilot(episode, bible, combo), bible)
        release = Release(key, default_seed(episode), "x", "2026-12-01T00:00:00+00:00", "test")
        titles.append(write_premise(template, "-", None, release).title)
    assert len(set(titles)) == len(titles), titles


def test_a_crowded_trope_comes_back_only_with_evidence() -> None:
    from microdrama.concepts.spread import crowded, spread

    recent = [{"hook": "a", "cliffhanger": "x"}] * 5 + [{"hook": "b", "cliffhanger": "y"}] * 14
    assert crowded(recent) == {
        ("hook", "b"),
        ("cliffhanger", "y"),
        ("hook", "a"),
        ("cliffhanger", "x"),
    }
    combos = [("a", "s", "t", "c", "x"), ("c", "s", "t", "c", "z")]
    assert spread(combos, recent) == [("c", "s", "t", "c", "z")]
    assert spread(combos, recent, with_evidence=lambda t: t in {"a", "x"}) == combos


def test_validate_reports_per_genre_and_locale_the_lines_without_a_phrase(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from commands.validate import validate

    shutil.copy(REPO / "tests" / "fixtures" / "short-revenge.yaml", tmp_path)
    (tmp_path / "phrasebook").mkdir()
    (tmp_path / "phrasebook" / "zh-CN.yaml").write_text("locale: zh-CN\nphrases: {}\n")
    assert validate(tmp_path) == 1  # zh-CN has no machine translator: it would be left out
    out, err = capsys.readouterr()
    assert "short-revenge zh-CN: no phrase for" in out and "(left out)" in out
    assert "short-revenge pt-BR: no phrase for" in out and "round-trip checked" in out
    assert "short-revenge: lines without a phrase: es " in err and "zh-CN " in err


def test_the_catalog_carries_each_locales_translation_estimate(rendered: dict) -> None:
    import pyarrow.dataset as pads

    table = pads.dataset(rendered["catalog"], partitioning="hive").to_table().to_pandas()
    row = table[table["key"] == rendered["episode"]].iloc[0]
    quality = json.loads(row["translation_quality"])
    assert set(quality) == {"es", "pt-BR", "zh-CN"}  # every shipped target locale
    assert quality["pt-BR"]["scored"] > 0  # pt-BR is the machine's: every line estimated
    assert 0.0 < quality["pt-BR"]["min"] <= quality["pt-BR"]["mean"] <= 1.0
    assert quality["zh-CN"]["scored"] == 0  # the phrasebook's: nothing to estimate
