"""The score: moods per genre, a series' theme, FluidSynth rendering, ducking, gates, MusicGen.

Measured on real audio: FluidSynth plays the score, espeak-ng speaks the lines, and the gates
find levels and onsets in the samples, not in the MIDI.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import tiny_music
import yaml

from microdrama.av.loudness import TARGET_LUFS, integrated_loudness
from microdrama.av.wav import read_wav
from microdrama.locales.espeak import synthesize
from microdrama.models.device import MODELS, DeviceConfig, ModelError
from microdrama.music.gates import (
    music_audible,
    music_under_speech,
    no_clipping,
    pauses,
    stingers_on_cuts,
)
from microdrama.music.mix import duck, mix
from microdrama.music.moods import MOODS_FILE, Mood, MoodError, load_moods
from microdrama.music.musicgen import MusicGenComposer, prompt
from microdrama.music.render import FluidSynthComposer, MusicError
from microdrama.music.score import ScoreRequest, compose, theme
from microdrama.picture.compositor import resample
from microdrama.words.template import Voice

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "templates" / MOODS_FILE
RATE = 48000
MOODS = load_moods(SHIPPED)
CUTS = [0.0, 2.5, 6.0, 9.0, 12.5, 16.0]
STINGERS = [(9.0, "twist"), (16.0, "cliffhanger")]
LINES = [  # start (s), text; the third line runs over the twist's hit
    (0.4, "You thought I would never come back."),
    (3.0, "Everything you own was stolen from my family."),
    (8.2, "Tonight the truth comes out."),
    (12.8, "Who are you really?"),
]


def request(genre: str = "revenge", series: str = "0042", episode: int = 1, **kw) -> ScoreRequest:
    fields = {"total_seconds": 20.0, "cuts": CUTS, "stingers": STINGERS, **kw}
    return ScoreRequest(genre, series, episode, mood=MOODS.for_genre(genre), **fields)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A 20 s revenge score rendered by FluidSynth, four espeak-ng lines, and their mix."""
    work = tmp_path_factory.mktemp("score")
    asked = request()
    [(music, fell_back)] = FluidSynthComposer().score([asked], RATE, work)
    dialogue, speech = np.zeros_like(music), []
    for n, (start, text) in enumerate(LINES):
        synthesize(text, Voice(variant="f2"), "en", "cold", work / f"line{n}.wav")
        clip_rate, clip = read_wav(work / f"line{n}.wav")
        clip = resample(clip, clip_rate, RATE)
        at = round(start * RATE)
        dialogue[at : at + clip.size] += clip
        speech.append((start, start + clip.size / RATE))
    ducked = duck(dialogue, music, RATE, speech)
    return SimpleNamespace(
        request=asked,
        music=music,
        fell_back=fell_back,
        dialogue=dialogue,
        speech=speech,
        mixed=mix(dialogue, ducked, RATE),
        ducked=ducked,
    )


def test_every_genre_has_a_mood_and_the_shipped_moods_are_valid() -> None:
    assert MOODS.problems == []
    genres = {p.stem for p in (REPO / "templates").glob("*.yaml")}
    genres |= {p.stem for p in (REPO / "templates" / "concepts").glob("*.yaml")}
    assert genres <= set(MOODS.moods) - {"default"}
    revenge, romance = MOODS.for_genre("revenge"), MOODS.for_genre("ceo-romance")
    assert revenge.key.endswith("minor") and 40 <= revenge.lead <= 51  # strings
    assert romance.lead == 0  # Acoustic Grand Piano
    palace, werewolf = MOODS.for_genre("palace-intrigue"), MOODS.for_genre("werewolf-romance")
    assert palace.lead == 107 and palace.percussion is not None  # Koto, the GM guzheng
    assert werewolf.drone is not None
    assert MOODS.for_genre("kitchen-rivals") == MOODS.moods["default"]


def test_mood_errors_name_the_file_and_the_field_and_spare_the_other_genres(
    tmp_path: Path,
) -> None:
    good = yaml.safe_load(SHIPPED.read_text())["moods"]["revenge"]
    moods = {
        "default": good,
        "ceo-romance": good,
        "revenge": {**good, "tempo": 300},
        "palace-intrigue": {**good, "lead": "Guzheng"},
        "werewolf-romance": {**good, "key": "H minor", "progression": ["i", "IX"]},
        "rebirth": {**good, "choir": True},
        "Bad/Genre": good,
    }
    path = tmp_path / "music.yaml"
    path.write_text(yaml.safe_dump({"moods": moods}))
    loaded = load_moods(path)
    assert set(loaded.moods) == {"default", "ceo-romance"}
    problems = "\n".join(loaded.problems)
    for field in (
        "moods.revenge.tempo: Input should be less than or equal to 220",
        "moods.palace-intrigue.lead: 'Guzheng' is not a General MIDI instrument",
        "moods.werewolf-romance.key:",
        "moods.werewolf-romance.progression.1:",
        "moods.rebirth.choir: Extra inputs are not permitted",
        "moods.Bad/Genre: genre key",
    ):
        assert f"{path}: {field}" in problems, problems
    assert loaded.for_genre("revenge") == loaded.moods["default"]

    path.write_text("moods:\n  default: [unclosed\n")
    with pytest.raises(MoodError, match=rf"{path}: line \d+, column \d+: not valid YAML"):
        load_moods(path)
    path.write_text(yaml.safe_dump({"moods": {"revenge": good}}))
    orphan = load_moods(path)
    assert orphan.problems == [f"{path}: moods.default: missing; genres without a mood use it"]
    with pytest.raises(MoodError, match=r"moods\.default: missing or invalid"):
        orphan.for_genre("rebirth")


def test_validate_names_a_bad_mood(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from commands.cli import validate

    (tmp_path / MOODS_FILE).parent.mkdir()
    moods = yaml.safe_load(SHIPPED.read_text())
    moods["moods"]["revenge"]["tempo"] = 9
    (tmp_path / MOODS_FILE).write_text(yaml.safe_dump(moods))
    assert validate(tmp_path) == 1
    said = capsys.readouterr().out
    assert f"{tmp_path / MOODS_FILE}: moods.revenge.tempo: Input should be greater than" in said


def test_gm_instruments_by_name_or_number() -> None:
    fields = MOODS.moods["default"].model_dump() | {"lead": "koto", "pad": 48, "drone": "Cello"}
    mood = Mood.model_validate(fields)
    assert (mood.lead, mood.pad, mood.drone) == (107, 48, 42)
    with pytest.raises(ValueError, match="out of range"):
        Mood.model_validate(fields | {"bass": 128})


def lead_intervals(asked: ScoreRequest) -> list[int]:
    """Scale-degree steps between the first phrase's notes, read back from the MIDI."""
    lead = next(part for part in compose(asked).instruments if part.name == "lead")
    notes = sorted(lead.notes, key=lambda note: note.start)[
        : len(theme(asked.genre, asked.series).degrees)
    ]
    mood = asked.mood
    degrees = [
        7 * ((n.pitch - mood.tonic) // 12) + mood.scale.index((n.pitch - mood.tonic) % 12)
        for n in notes
    ]
    return np.diff(degrees).tolist()


def test_a_series_keeps_its_theme_and_each_episode_varies_it() -> None:
    first, second = request(episode=1), request(episode=2)
    assert lead_intervals(first) == lead_intervals(second)
    assert lead_intervals(first) != lead_intervals(request(series="0043"))
    one, two = (
        [(n.pitch, round(n.start, 3)) for part in compose(r).instruments for n in part.notes]
        for r in (first, second)
    )
    assert one != two, "the episode is a variation, not a copy"
    again = [(n.pitch, round(n.start, 3)) for p in compose(first).instruments for n in p.notes]
    assert one == again, "the same request gives the same notes"


def test_the_score_lasts_the_episode_with_hits_on_the_stingers() -> None:
    midi = compose(request(total_seconds=17.3))
    assert midi.get_end_time() == pytest.approx(17.3, abs=1e-9)
    parts = {part.name: part for part in midi.instruments}
    assert sorted({n.start for n in parts["hit"].notes}) == [9.0, 16.0]
    assert max(n.end for n in parts["riser"].notes) == pytest.approx(16.0)
    assert min(n.start for n in parts["riser"].notes) == pytest.approx(14.0)
    with pytest.raises(ValueError, match="stinger kind 'reveal'"):
        request(stingers=[(3.0, "reveal")])


def test_the_rendered_score_is_exactly_the_episode_long(scored: SimpleNamespace) -> None:
    assert scored.music.dtype == np.float32 and not scored.fell_back
    assert scored.music.size == scored.mixed.size == round(20.0 * RATE)


def test_the_music_ducks_under_every_line_and_stays_audible_between(
    scored: SimpleNamespace,
) -> None:
    under = music_under_speech(scored.dialogue, scored.ducked, RATE, scored.speech)
    assert under.passed, under.reason
    assert under.metadata["min_speech_over_music_db"] >= 12 and under.metadata["lines"] == 4
    audible = music_audible(scored.mixed, RATE, scored.speech)
    assert audible.passed, audible.reason
    assert audible.metadata["pauses"] >= 3 and audible.metadata["quietest_pause_dbfs"] > -40
    # not ducked, the same score masks the lines; left out, the pauses go silent
    loud = music_under_speech(scored.dialogue, scored.music * 8, RATE, scored.speech)
    assert not loud.passed and "dB under the dialogue" in loud.reason
    assert not music_audible(
        mix(scored.dialogue, scored.music * 0, RATE), RATE, scored.speech
    ).passed


def test_the_mix_is_at_the_loudness_target_without_clipping(scored: SimpleNamespace) -> None:
    assert integrated_loudness(scored.mixed, RATE) == pytest.approx(TARGET_LUFS, abs=1.0)
    assert no_clipping(scored.mixed).passed
    assert not no_clipping(np.clip(scored.mixed * 4, -1, 1)).passed


def test_stinger_onsets_land_on_their_cuts(scored: SimpleNamespace) -> None:
    on_cuts = stingers_on_cuts(scored.music, RATE, scored.request)
    assert on_cuts.passed, on_cuts.reason
    assert on_cuts.metadata["max_offset_s"] <= 0.1 and on_cuts.metadata["stingers"] == 2
    late = stingers_on_cuts(np.roll(scored.music, round(0.25 * RATE)), RATE, scored.request)
    assert not late.passed and "off its cut" in late.reason
    off_cut = stingers_on_cuts(scored.music, RATE, request(cuts=[0.0, 5.0]))
    assert not off_cut.passed and "on no cut" in off_cut.reason


def test_pauses_leave_out_the_ducks_ramps() -> None:
    assert pauses([(1.0, 2.0), (2.3, 4.0)], 100, 600) == [(0, 95), (425, 600)]


def test_a_missing_soundfont_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MusicError, match="install `fluidsynth fluid-soundfont-gm`"):
        FluidSynthComposer(tmp_path / "none.sf2").score([request()], RATE, tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MusicError, match="fluidsynth is not installed"):
        FluidSynthComposer().score([request()], RATE, tmp_path)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("musicgen")
    tiny_music.musicgen(root / "music")
    tiny_music.musicgen(root / "silent", silent=True)
    return root


def short(genre: str, episode: int) -> ScoreRequest:
    return request(
        genre, episode=episode, total_seconds=2.5, cuts=[0.0, 1.5], stingers=[(1.5, "twist")]
    )


def test_musicgen_scores_a_batch_in_one_call_loaded_once(tiny: Path, tmp_path: Path) -> None:
    composer = MusicGenComposer(str(tiny / "music"), DeviceConfig("cpu"), FluidSynthComposer(), 2)
    asked = [short("revenge", 1), short("palace-intrigue", 2)]
    MODELS.loads.clear()
    scores = composer.score(asked, RATE, tmp_path)
    assert [(music.size, fell_back) for music, fell_back in scores] == [(120000, False)] * 2
    composer.loaded()
    assert list(MODELS.loads.values()) == [1]
    for (music, _), one in zip(scores, asked, strict=True):
        on_cuts = stingers_on_cuts(music, RATE, one)
        assert np.isfinite(music).all() and on_cuts.passed, on_cuts.reason
    assert prompt(asked[0].mood).endswith("in C minor, 76 bpm")


def test_silent_musicgen_falls_back_to_the_embedded_score(tiny: Path, tmp_path: Path) -> None:
    embedded = FluidSynthComposer()
    composer = MusicGenComposer(str(tiny / "silent"), DeviceConfig("cpu"), embedded, 2)
    asked = [short("revenge", 1), short("werewolf-romance", 1)]
    scores = composer.score(asked, RATE, tmp_path / "neural")
    assert [fell_back for _, fell_back in scores] == [True, True] and composer.fallbacks == 2
    for (music, _), (expected, _) in zip(
        scores, embedded.score(asked, RATE, tmp_path), strict=True
    ):
        np.testing.assert_array_equal(music, expected)


def test_a_missing_music_model_names_its_variable(tmp_path: Path) -> None:
    for name in ("", str(tmp_path)):
        composer = MusicGenComposer(name, DeviceConfig("cpu"), FluidSynthComposer())
        with pytest.raises(ModelError, match="MICRODRAMA_MUSIC_MODEL"):
            composer.score([short("revenge", 1)], RATE, tmp_path)
