"""The HLS package as a player and a parser see it: the ladder, a sound and a subtitle rendition
per locale, equal lengths, loudness; and a locale added later without a new picture encode."""

from __future__ import annotations

import hashlib
import itertools
import re
import subprocess
from pathlib import Path

import m3u8
import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, environment, factory_env

from microdrama.av.ffmpeg import probe
from microdrama.media import read_json

LOCALES = ["en", "es", "pt-BR", "zh-CN"]


def stream(playlist: Path, kind: str) -> dict:
    return next(s for s in probe(playlist)["streams"] if s["codec_type"] == kind)


def seconds(playlist: Path) -> float:
    return float(probe(playlist)["format"]["duration"])


def ebur128(playlist: Path) -> float:
    """Integrated loudness by ffmpeg's own ebur128 filter (not the code under test)."""
    said = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(playlist), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", said)[-1])


def test_the_package_has_the_ladder_and_a_sound_and_subtitles_per_locale(rendered: dict) -> None:
    master = Path(rendered["package"])
    parsed = m3u8.load(str(master))
    rungs = {p.stream_info.resolution: master.parent / p.uri for p in parsed.playlists}
    assert set(rungs) == {(720, 1280), (360, 640)}
    for (width, height), playlist in rungs.items():
        video = stream(playlist, "video")
        assert (video["codec_name"], video["width"], video["height"]) == ("h264", width, height)
        # x264's ultrafast alone would be Constrained Baseline without B-frames: the options
        # on top of it (CABAC, B-frames, the 8x8 transform) reached the encoder
        assert video["profile"] == "High" and video["has_b_frames"] >= 1
    audio = {m.language: m for m in parsed.media if m.type == "AUDIO"}
    subtitles = {m.language: m for m in parsed.media if m.type == "SUBTITLES"}
    assert sorted(audio) == sorted(subtitles) == sorted(LOCALES)
    assert audio["zh-CN"].name == "简体中文" and audio["es"].name == "Español"
    assert [m.language for m in parsed.media if m.default == "YES"] == ["en"]
    assert {p.stream_info.audio for p in parsed.playlists} == {audio["en"].group_id}
    assert {p.stream_info.subtitles for p in parsed.playlists} == {subtitles["en"].group_id}
    lengths = {f"video {r}": seconds(path) for r, path in rungs.items()}
    for locale in LOCALES:
        sound = master.parent / audio[locale].uri
        assert stream(sound, "audio")["codec_name"] == "aac"
        assert ebur128(sound) == pytest.approx(-14, abs=1.5), locale
        lengths[f"audio {locale}"] = seconds(sound)
        captions = m3u8.load(str(master.parent / subtitles[locale].uri))
        assert len(captions.segments) == 1
        lengths[f"subtitles {locale}"] = captions.segments[0].duration
        vtt = (master.parent / locale / captions.segments[0].uri).read_text()
        assert vtt.startswith("WEBVTT") and "-->" in vtt
    assert max(lengths.values()) - min(lengths.values()) <= 0.1, lengths
    timeline = read_json(master.parent.parent / "cut" / "timeline.json")
    assert timeline["fitted_to"] == LOCALES  # the picture was timed to every dub
    assert abs(timeline["seconds"] - lengths["audio en"]) <= 0.1


def test_every_locale_speaks_each_line_in_the_same_shot(rendered: dict) -> None:
    master = Path(rendered["package"])
    shots = read_json(master.parent.parent / "cut" / "timeline.json")["shots"]

    def shot_of(at: float) -> int:
        return max(n for n, shot in enumerate(shots) if shot["start"] <= at + 0.001)

    placed = {}
    for locale in LOCALES:
        cues = read_json(master.parent / locale / "timeline.json")["cues"]
        lines = {}  # a long line may be split over several cues: its first one says where
        for cue in cues:
            lines.setdefault(cue["line"], cue)
        placed[locale] = [shot_of(cue["start"]) for cue in lines.values()]
        for cue in cues:  # speech, and its captions, never run over a cut
            n = shot_of(cue["start"])
            assert cue["end"] <= shots[n]["start"] + shots[n]["duration"] + 0.25, (locale, cue)
    assert all(found == placed["en"] for found in placed.values()), placed


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_locale_added_later_joins_without_a_new_picture(tmp_path: Path) -> None:
    from operations.render import add_locales, render

    env = factory_env(tmp_path, [FIXTURES / "short-revenge.yaml"])
    env["MICRODRAMA_LOCALES"] = "en,es"
    with environment(env):
        first = render("short-revenge", None, 5)
    cut = Path(first["cut"])
    before = digests(cut / "video")
    assert before and m3u8.load(first["package"]).media
    env["MICRODRAMA_LOCALES"] = "en,es,pt-BR"
    with environment(env):
        added = add_locales(first["episode"])
    assert digests(cut / "video") == before  # the segments, byte for byte: no new encode
    parsed = m3u8.load(added["package"])
    assert sorted(m.language for m in parsed.media if m.type == "AUDIO") == ["en", "es", "pt-BR"]
    pt = Path(added["package"]).parent / "pt-BR" / "audio" / "index.m3u8"
    assert abs(seconds(pt) - read_json(cut / "timeline.json")["seconds"]) <= 0.1
    gates = {g["name"]: g for g in read_json(Path(added["package"]).parent / "checks.json")}
    assert all(g["passed"] for g in gates.values()), gates
    row = pd.read_parquet(env["MICRODRAMA_STORAGE"] / "tables" / "catalog").iloc[0]
    assert row["locales"] == "en,es,pt-BR" and row["package"].endswith("master.m3u8")


def decoded(path: Path, rate: int = 48000) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "f32le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.float32)


def dbfs(samples: np.ndarray) -> float:
    return 20 * np.log10(max(float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))), 1e-9))


def test_the_score_plays_under_every_locale_and_hits_on_the_beats(rendered: dict) -> None:
    episode = Path(rendered["cut"]).parent
    rate = 48000
    for locale in LOCALES:
        mix = decoded(episode / "localized" / locale / "audio" / "index.m3u8", rate)
        cues = read_json(episode / "localized" / locale / "timeline.json")["cues"]
        pauses = [
            (a["end"] + 0.3, b["start"] - 0.1)
            for a, b in itertools.pairwise(cues)
            if b["start"] - a["end"] >= 0.8
        ]
        assert pauses, locale
        for start, end in pauses:  # between lines the score alone: audible
            assert dbfs(mix[round(start * rate) : round(end * rate)]) > -40, (locale, start)
        assert ebur128(episode / "localized" / locale / "audio" / "index.m3u8") == pytest.approx(
            -14, abs=1.5
        )
    gates = {g["name"]: g for g in read_json(episode / "localized" / "checks.json")}
    under = gates["music_under_speech"]["metadata"]
    assert min(v for k, v in under.items() if k.endswith("min_speech_over_music_db")) >= 12
    score = decoded(episode / "music" / "score.wav", rate)
    asked = read_json(episode / "music" / "request.json")
    assert [kind for _, kind in asked["stingers"]] == ["twist", "cliffhanger"]
    shots = read_json(episode / "cut" / "timeline.json")["shots"]
    for at, _ in asked["stingers"]:
        assert any(abs(shot["start"] - at) < 0.001 for shot in shots)  # on a cut
        cut = round(at * rate)
        before, after = score[cut - rate // 10 : cut], score[cut : cut + rate // 10]
        assert dbfs(after) - dbfs(before) > 6, at  # the hit lands on the cut
