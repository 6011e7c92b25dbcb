"""Every quality gate on a good artifact and on a deliberately broken one."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from microdrama.av.ffmpeg import run_ffmpeg
from microdrama.av.wav import write_wav
from microdrama.locales.espeak import synthesize
from microdrama.media import read_json
from microdrama.picture.compositor import VideoSettings
from microdrama.picture.storyboard import paint_shot
from microdrama.quality.gates import (
    CHECKS,
    GateFailure,
    frames_gates,
    media_gates,
    merge,
    passed,
    policy_gate,
    premise_gates,
    script_gates,
    seal,
    speech_gates,
    translation_gate,
)
from microdrama.release import Release
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.story import Script, write_premise, write_script
from microdrama.words.template import load_template

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = load_template(Path(__file__).parent / "fixtures" / "short-revenge.yaml").template
POLICY = ContentPolicy.load(REPO / "templates" / "policy")
SIZE = (180, 320)
RELEASE = Release("short-revenge-0001-01", 3, "a viral livestream", "2026-12-01T00:00:00", "test")


def failing(gates: list) -> dict[str, str]:
    return {g.name: g.reason for g in gates if not g.passed}


@pytest.fixture(scope="module")
def script() -> Script:
    premise = write_premise(TEMPLATE, "hash", None, RELEASE)
    return write_script(TEMPLATE, premise)


def test_good_script_passes_every_gate(script: Script) -> None:
    gates = script_gates(script, TEMPLATE, POLICY, "en")
    assert [g.name for g in gates] == list(CHECKS["script"])
    assert failing(gates) == {}


def test_script_gates_catch_each_break(script: Script) -> None:
    def broken(**changes: object) -> dict[str, str]:
        return failing(script_gates(dataclasses.replace(script, **changes), TEMPLATE, POLICY, "en"))

    silent_hook = [dataclasses.replace(script.shots[0], lines=[]), *script.shots[1:]]
    assert set(broken(shots=silent_hook)) == {"hook"}
    no_ending = script.shots[:-1]
    assert "cliffhanger" in broken(shots=no_ending)
    assert "bounds" in broken(shots=no_ending)
    stranger = dataclasses.replace(script.shots[0].lines[0], speaker="ghost")
    odd = [dataclasses.replace(script.shots[0], lines=[stranger]), *script.shots[1:]]
    assert "'ghost' is not in the cast" in broken(shots=odd)["speakers"]
    assert "outside" in broken(runtime_seconds=TEMPLATE.runtime_seconds * 3)["bounds"]
    blank = dataclasses.replace(script.shots[0].lines[0], text="  ")
    empty = [dataclasses.replace(script.shots[0], lines=[blank]), *script.shots[1:]]
    assert set(broken(shots=empty)) == {"no_empty_lines"}
    assert "'cocaine'" in broken(topic="the Cocaine empire")["content_policy"]


def test_premise_policy_gate() -> None:
    premise = write_premise(TEMPLATE, "hash", None, RELEASE)
    assert failing(premise_gates(premise, POLICY, "en")) == {}
    bad = dataclasses.replace(premise, logline="A NAZI returns")
    assert (
        "logline contains blocked term 'nazi'"
        in failing(premise_gates(bad, POLICY, "en"))["content_policy"]
    )


def test_policy_matches_words_any_case_width_and_cjk(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("# comment\nmeth\n\nkill yourself  # inline comment\n")
    (tmp_path / "zh-CN.txt").write_text("自杀\n")
    policy = ContentPolicy.load(tmp_path)
    assert policy.hits("Methods and method", "en") == []
    assert policy.hits("He cooks METH.", "en") == ["meth"]
    full_width = "\uff2b\uff49\uff4c\uff4c\nyourself"  # "Kill" in full-width letters, a newline
    assert policy.hits(full_width, "en") == ["kill yourself"]
    assert policy.hits("他想自杀。", "zh-CN") == ["自杀"]
    assert policy.hits("他想自杀。", "es") == []
    gate = policy_gate(policy, "en", {"line 1": "meth"})
    assert not gate.passed and "line 1" in gate.reason


def test_frames_gates(tmp_path: Path, script: Script) -> None:
    width, height = SIZE
    paths = []
    for shot in script.shots:
        paths.append(tmp_path / f"shot_{shot.index:02d}.png")
        paint_shot(TEMPLATE, shot, width, height).save(paths[-1])
    assert failing(frames_gates(paths, len(script.shots), width, height)) == {}
    Image.new("RGB", SIZE, (40, 40, 40)).save(paths[1])
    Image.new("RGB", (height, width), (0, 0, 0)).save(paths[2])
    bad = failing(frames_gates(paths[:-1], len(script.shots), width, height))
    assert set(bad) == {"one_per_shot", "size", "not_blank"}
    assert "shot_01.png is near-uniform" in bad["not_blank"]
    assert "shot_02.png is 320x180" in bad["size"]


def test_speech_gates(tmp_path: Path) -> None:
    voice = TEMPLATE.characters[0].voice
    text = "You buried me. You forgot to check if I was breathing."
    seconds = synthesize(text, voice, "en", "cold", tmp_path / "good.wav")
    good = [{"file": "good.wav", "text": text, "seconds": seconds}]
    assert failing(speech_gates(good, tmp_path)) == {}
    write_wav(tmp_path / "silent.wav", 22050, np.zeros(22050 * 3, np.float32))
    silent = [{"file": "silent.wav", "text": text, "seconds": 3.0}]
    assert set(failing(speech_gates(silent, tmp_path))) == {"audible"}
    rushed = [{"file": "good.wav", "text": text * 4, "seconds": seconds}]
    assert "expected" in failing(speech_gates(rushed, tmp_path))["plausible_duration"]


MEDIA = [
    "encoding",
    "duration",
    "av_sync",
    "loudness",
    "true_peak",
    "cues",
    "captions_fit",
    "reading_speed",
]


def test_media_gates_pass_a_rendered_burned_in_variant(rendered: dict) -> None:
    video = Path(rendered["variants"]["en"])
    timeline = read_json(video.parent / "timeline.json")
    settings = VideoSettings()
    gates = media_gates(video, timeline, settings.width, settings.height)
    assert [g.name for g in gates] == MEDIA
    assert failing(gates) == {}
    assert abs(gates[3].metadata["lufs"] + 14) <= 1
    assert gates[4].metadata["dbtp"] <= -1.0  # measured on the decoded AAC, not the mix


def test_media_gates_catch_a_broken_video(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    run_ffmpeg(
        [
            *("-f", "lavfi", "-i", "testsrc2=size=360x640:rate=24:duration=3"),
            *("-f", "lavfi", "-i", "sine=frequency=300:duration=1.5"),
            *("-af", "volume=20dB", "-c:v", "mpeg4", "-c:a", "aac", str(broken)),
        ]
    )
    timeline = {
        "locale": "zh-CN",
        "seconds": 5.0,
        "cues": [
            {"start": 0.2, "end": 1.5, "text": "你好"},
            {"start": 1.0, "end": 2.0, "text": "你" * 60},
        ],
    }
    bad = failing(media_gates(broken, timeline, 720, 1280))
    assert set(bad) == set(MEDIA)
    assert "mpeg4" in bad["encoding"] and "360x640" in bad["encoding"]
    assert "cue 2 starts at 1.00s, before cue 1 ends" in bad["cues"]
    assert "cue 2 takes 4 rows, at most 2" in bad["captions_fit"]
    assert "cue 2 asks for 60.0 characters a second, at most 9" in bad["reading_speed"]
    assert "dBTP" in bad["true_peak"]


def test_translation_gate_allows_only_names_to_stay() -> None:
    names = {"Lin Xia", "Vivian Zhao"}
    lines = [
        {"source": "Lin Xia!", "text": "Lin Xia!", "method": "machine"},
        {"source": "You are dead.", "text": "Estás muerta.", "method": "phrasebook"},
    ]
    assert translation_gate(lines, names).passed
    lines.append({"source": "Wait.", "text": "Wait.", "method": "machine"})
    lines.append({"source": "No.", "text": "No.", "method": "untranslated"})
    gate = translation_gate(lines, names)
    assert not gate.passed and "line 3" in gate.reason and "line 4" in gate.reason


def test_merge_fails_when_any_locale_fails(script: Script) -> None:
    good = script_gates(script, TEMPLATE, POLICY, "en")
    bad = script_gates(dataclasses.replace(script, topic="heroin"), TEMPLATE, POLICY, "en")
    merged = {g.name: g for g in merge({"es": good, "pt-BR": bad})}
    assert merged["hook"].passed
    assert not merged["content_policy"].passed
    assert merged["content_policy"].reason.startswith("pt-BR: ")


def test_seal_refuses_a_failed_artifact_and_records_a_good_one(
    tmp_path: Path, script: Script
) -> None:
    good = script_gates(script, TEMPLATE, POLICY, "en")
    seal("script", good, tmp_path)
    assert passed(tmp_path)
    bad = script_gates(dataclasses.replace(script, topic="heroin"), TEMPLATE, POLICY, "en")
    shutil.rmtree(tmp_path)
    tmp_path.mkdir()
    with pytest.raises(GateFailure, match="content_policy: topic contains blocked term"):
        seal("script", bad, tmp_path)
    assert not passed(tmp_path)
