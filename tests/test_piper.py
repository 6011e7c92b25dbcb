"""The piper voice: its voice table, lines spoken by the packaged en_US voice (no download),
and a whole episode voiced by it through Dagster, every gate passing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, environment, factory_env

from microdrama.av.wav import read_wav
from microdrama.backends import Backends
from microdrama.locales.espeak import Espeak, VoiceError
from microdrama.locales.piper import BUNDLED, Piper, bundled_voice, voice_table
from microdrama.media import read_json
from microdrama.quality.gates import level_dbfs, plausible_seconds
from microdrama.words.template import Voice

LINE = "You thought I would never come back. Tonight, everything changes."
HER, HIM = Voice(variant="f2", pitch=68, speed=170), Voice(variant="m3", pitch=36, speed=150)


def test_the_voice_table_names_voices_per_locale(tmp_path: Path) -> None:
    other = tmp_path / "es_ES-test-medium.onnx"
    other.write_bytes(b"")
    table = voice_table(f"en={BUNDLED}; es={other}#0+2,{other}")
    assert table["en"][0].model == bundled_voice() and table["en"][0].model.exists()
    assert [v.speakers for v in table["es"]] == [(0, 2), ()]
    with pytest.raises(VoiceError, match="does not exist"):
        voice_table("es=/nowhere/voice.onnx")
    assert voice_table("") == {}


def test_backends_choose_piper_where_its_voices_are(tmp_path: Path) -> None:
    assert isinstance(Backends(voice="espeak").make_voice(), Espeak)
    assert isinstance(Backends().make_voice(), Espeak)  # no piper voices configured
    piper = Backends(voice="piper").make_voice()
    assert isinstance(piper, Piper) and piper.speaks("en") and not piper.speaks("es")
    embedded = Backends(piper_voices=f"en={BUNDLED}").make_voice()
    assert isinstance(embedded, Piper) and embedded.speaks("en")


def test_piper_speaks_a_plausible_line_in_each_characters_voice(tmp_path: Path) -> None:
    piper = Piper(voice_table(f"en={BUNDLED}"))
    takes = {}
    for name, voice in (("her", HER), ("him", HIM)):
        seconds = piper.synthesize(LINE, voice, "en", "angry", tmp_path / f"{name}.wav")
        rate, samples = read_wav(tmp_path / f"{name}.wav")
        assert rate == 22050 and samples.size / rate == pytest.approx(seconds, abs=0.01)
        low, high = plausible_seconds(LINE)
        assert low <= seconds <= high and level_dbfs(samples) > -30
        takes[name] = samples
    assert piper.fallbacks == 0
    assert takes["her"].size != takes["him"].size  # a different pace and pitch per character
    es = piper.synthesize("Hola.", HER, "es", "neutral", tmp_path / "es.wav")
    assert es > 0  # a locale without piper voices is spoken by espeak-ng


def test_an_episode_voiced_by_piper_passes_every_gate_through_dagster(tmp_path: Path) -> None:
    from operations.render import render

    env = factory_env(tmp_path, [FIXTURES / "short-revenge.yaml"])
    env["MICRODRAMA_LOCALES"] = "en,es"
    env["MICRODRAMA_VOICE"] = "piper"
    with environment(env):
        outcome = render("short-revenge", None, 5)
    folder = Path(outcome["cut"]).parent
    for stage in ("voice", "motion", "cut", "localized"):
        gates = read_json(folder / stage / "checks.json")
        assert all(g["passed"] for g in gates), (stage, [g for g in gates if not g["passed"]])
    lines = read_json(folder / "voice" / "en" / "lines.json")
    rate, _ = read_wav(folder / "voice" / "en" / lines[0]["file"])
    assert rate == 22050  # piper's, not espeak-ng's
    for line in lines:
        low, high = plausible_seconds(line["text"])
        words = len(line["text"].split())
        assert low <= line["seconds"] <= high, line
        assert 1.2 <= words / line["seconds"] <= 5.0, line  # people say 2-4 words a second
    moving = {g["name"]: g for g in read_json(folder / "cut" / "checks.json")}["moving"]
    assert moving["passed"] and moving["metadata"]["longest_still"] <= 0.45
