"""Every delivered file says it is AI-generated, to people and to machines: the label on the
opening frames (read back by OCR), the AIGC record (read back by ffprobe, through a stream
copy), the C2PA manifests (read back by c2pa's reader; one changed byte fails), the NSFW screen
of model-made pictures, and `microdrama verify`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import m3u8
import numpy as np
import pytest
from conftest import FIXTURES, REPO, SHORT_GENRE
from PIL import Image

from microdrama import stages
from microdrama.av.ffmpeg import probe
from microdrama.keys import EpisodeKey
from microdrama.locales.espeak import Espeak
from microdrama.media import MediaStore, read_json
from microdrama.motion.animator import MotionJob
from microdrama.music.moods import MOODS_FILE, load_moods
from microdrama.music.render import SOUNDFONT, FluidSynthComposer
from microdrama.picture.compositor import VideoSettings
from microdrama.picture.fonts import font_for
from microdrama.picture.storyboard import StoryboardPainter
from microdrama.provenance.aigc import (
    AIGC_KEY,
    SESSION_DATA_ID,
    probe_record,
    read_master_record,
    read_media_record,
    record_problems,
)
from microdrama.provenance.credentials import SIDECAR
from microdrama.provenance.label import (
    LABEL_SECONDS,
    LABELS,
    MIN_TEXT_FRACTION,
    Disclosure,
    font_px,
    ink_height,
    opening_overlays,
)
from microdrama.provenance.screening import (
    NsfwScreen,
    ScreenedPainter,
    screen_clips,
    screening_summary,
)
from microdrama.provenance.stamp import Provenance
from microdrama.provenance.verify import provenance_gate, verify
from microdrama.quality.gates import GateFailure
from microdrama.release import Release
from microdrama.stages import Episode
from microdrama.trends.feed import load_trend_feed
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.template import load_template

FILING = "FILING-2026-0042"
LOCALES = ["en", "es"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One short episode by direct stage calls: English and Spanish, both burned in, a filing
    number configured, signed with development credentials made in a cache of its own."""
    root = tmp_path_factory.mktemp("provenance")
    loaded = load_template(FIXTURES / f"{SHORT_GENRE}.yaml")
    template, settings = loaded.template, VideoSettings()
    policy = ContentPolicy.load(REPO / "templates" / "policy")
    key = EpisodeKey(SHORT_GENRE, 1, 1)
    ep = Episode(MediaStore(root / "storage"), key)
    release = Release(str(key), 11, None, "2026-12-01T00:00:00+00:00", "test")
    prov = Provenance(Disclosure(filing_number=FILING), cache=root / "cache")
    trends = load_trend_feed(REPO / "data" / "trends.csv")
    stages.make_premise(ep, template, loaded.content_hash, trends, release, policy)
    stages.make_script(ep, template, policy)
    stages.make_frames([(ep, template)], settings, StoryboardPainter())
    phrasebooks = REPO / "templates" / "phrasebook"
    stages.make_voice(ep, template, LOCALES, phrasebooks, policy, Espeak(), lambda _: None)
    stages.make_motion([(ep, template)], settings, None)
    cut = stages.make_cut(ep, template, settings, prov)
    moods = load_moods(REPO / "templates" / MOODS_FILE)
    stages.make_music([ep], settings, FluidSynthComposer(SOUNDFONT), moods)
    localized = stages.make_localized(ep, template, settings, LOCALES, prov)
    return {
        "ep": ep,
        "prov": prov,
        "seconds": cut.made["seconds"],
        "cut": cut,
        "localized": localized,
        "master": stages.package_path(ep),
        "mp4": {loc: ep.dir("localized") / loc / "episode.mp4" for loc in LOCALES},
        "rung": ep.dir("cut") / "video" / "720p" / "index.m3u8",
        "root": root,
    }


def ocr(video: Path, at: float, work: Path) -> str:
    """Tesseract's reading of the frame at `at` seconds (light text on a dark box: inverted)."""
    frame = work / f"{video.parent.name}_{video.stem}_{at:.2f}.png"
    subprocess.run(  # seeking after the input: exact on an HLS playlist too
        [
            *("ffmpeg", "-v", "error", "-y", "-i", str(video), "-ss", f"{at:.2f}"),
            *("-frames:v", "1", "-vf", "format=gray,negate", str(frame)),
        ],
        check=True,
    )
    return subprocess.run(
        ["tesseract", str(frame), "-", "--psm", "11"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr: make test-packages")
def test_ocr_reads_the_label_and_filing_number_in_the_first_two_seconds(
    made: dict, tmp_path: Path
) -> None:
    words = {"en": ["generated", "content"], "es": ["Contenido", "generado"]}
    for locale in LOCALES:
        for at in (0.2, 1.0, 1.9):
            text = ocr(made["mp4"][locale], at, tmp_path)
            assert all(w in text for w in words[locale]), (locale, at, text)
            assert FILING in text, (locale, at, text)
    # the shared picture every locale plays: the language-neutral mark and the filing number
    text = ocr(made["rung"], 1.0, tmp_path)
    assert FILING in text and any(mark in text for mark in ("AI", "Al", "AL")), text
    assert "generated" not in text  # no language in the shared picture
    # no corner mark configured: after the opening nothing says it any more
    later = ocr(made["mp4"]["en"], made["seconds"] - 1.0, tmp_path)
    assert "generated" not in later and FILING not in later, later


def test_the_label_is_tall_enough_for_a_phone() -> None:
    """GB 45438: text at least 5 % of the shortest side; we draw the capitals at 6 %."""
    for locale in ["en", "zh-CN"]:
        font = font_for(locale)
        px = font_px(font, 720)
        assert ink_height(font, px) / 720 >= MIN_TEXT_FRACTION
    # the low rung is the full picture scaled by half: 5 % of its side too
    assert ink_height(font_for("en"), font_px(font_for("en"), 360)) / 360 >= MIN_TEXT_FRACTION


def test_the_corner_mark_stays_only_when_configured() -> None:
    plain = opening_overlays(Disclosure(), 720, 1280, 30.0)
    marked = opening_overlays(Disclosure(ai_mark=True), 720, 1280, 30.0)
    assert [(start, end) for _, _, start, end in plain] == [(0.0, LABEL_SECONDS)]
    assert [(start, end) for _, _, start, end in marked] == [
        (0.0, LABEL_SECONDS),
        (LABEL_SECONDS, 30.0),
    ]
    assert LABEL_SECONDS >= 2.0


def test_each_subtitle_rendition_opens_with_the_label(made: dict) -> None:
    for locale in LOCALES:
        folder = made["ep"].dir("localized") / locale
        for name in ("episode.vtt", "subtitles.vtt"):
            first = (folder / name).read_text().split("\n\n")[1]
            assert first.startswith("00:00:00.000 --> 00:00:03.000"), first
            assert LABELS[locale] in first and FILING in first
        srt = (folder / "episode.srt").read_text().split("\n\n")[0]
        assert LABELS[locale] in srt


def test_the_aigc_record_is_in_every_file_and_survives_a_stream_copy(
    made: dict, tmp_path: Path
) -> None:
    key = str(made["ep"].key)
    mp4 = made["mp4"]["es"]
    tags = probe(mp4)["format"]["tags"]
    assert AIGC_KEY in tags  # ffprobe itself shows the standard's key
    record = read_media_record(mp4)
    assert record_problems(record) == [] and record["ProduceID"].startswith(key)
    copied = tmp_path / "copy.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(mp4), "-c", "copy", str(copied)], check=True)
    assert read_media_record(copied) == record
    assert probe_record(copied) == record == probe_record(mp4)  # as ffprobe reads it
    # the package: the master's session data, aigc.json, every init segment
    master = made["master"]
    assert [d.data_id for d in m3u8.load(str(master)).session_data] == [SESSION_DATA_ID]
    assert read_master_record(master) == record
    assert read_json(master.parent / "aigc.json")["AIGC"] == record
    for init in [made["rung"].parent / "init.mp4", master.parent / "en" / "audio" / "init.mp4"]:
        assert read_media_record(init) == record == probe_record(init)


def test_c2pa_validates_every_file_and_one_changed_byte_fails(made: dict, tmp_path: Path) -> None:
    checks = verify(made["master"]) + [c for mp4 in made["mp4"].values() for c in verify(mp4)]
    assert len(checks) == 1 + 2 + 2 + 2  # master, two rungs, two sound renditions, two MP4s
    assert all(c.ok for c in checks), [c.lines() for c in checks]
    assert all("untrusted" in c.credential.status for c in checks)
    gate = provenance_gate(checks)
    assert gate.passed, gate.reason
    manifest = checks[-1].credential.manifest
    actions = next(a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))
    created = actions["data"]["actions"][0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    # one byte changed in the middle of an MP4
    tampered = tmp_path / "tampered.mp4"
    data = bytearray(made["mp4"]["en"].read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    assert not provenance_gate(verify(tampered)).passed
    # one byte changed in a segment of a signed rendition
    rung = tmp_path / "rung"
    shutil.copytree(made["rung"].parent, rung)
    segment = sorted(rung.glob("seg_*.m4s"))[-1]
    data = bytearray(segment.read_bytes())
    data[-10] ^= 0x01
    segment.write_bytes(bytes(data))
    failed = provenance_gate(verify(rung / "index.m3u8"))
    assert not failed.passed and "C2PA invalid" in failed.reason
    assert (made["rung"].parent / SIDECAR).exists()


def test_verify_exits_one_on_a_stripped_or_tampered_file(made: dict, tmp_path: Path) -> None:
    good = made["mp4"]["en"]
    stripped = tmp_path / "stripped.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-i", str(good), "-c", "copy"),
            *("-map_metadata", "-1", str(stripped)),
        ],
        check=True,
    )
    tampered = tmp_path / "tampered.mp4"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    cli = str(Path(REPO / ".venv" / "bin" / "microdrama"))

    def run(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([cli, "verify", str(path)], capture_output=True, text=True)

    said = run(good)
    assert said.returncode == 0, said.stdout + said.stderr
    assert "AIGC Label: 1" in said.stdout and "C2PA: valid" in said.stdout
    said = run(stripped)
    assert said.returncode == 1 and "no AIGC record" in said.stdout
    assert "missing" in said.stdout
    said = run(tampered)
    assert said.returncode == 1 and "C2PA: invalid" in said.stdout
    assert run(made["master"]).returncode == 0


class FakePainter:
    """A model painter stand-in: paints a colour per seed offset, as a model paints new noise."""

    neural = True
    attempts = 2

    def __init__(self) -> None:
        self.calls: list[int] = []

    def paint(
        self, jobs: list, width: int, height: int, first_attempt: int = 0
    ) -> tuple[list[Image.Image], list[bool]]:
        self.calls.append(first_attempt)
        color = np.array((220, 40, 40) if first_attempt == 0 else (40, 40, 220))
        shade = np.linspace(0.2, 1.0, height)[:, None, None]  # a gradient: not a blank frame
        picture = (shade * color * np.ones((height, width, 3))).astype(np.uint8)
        return [Image.fromarray(picture) for _ in jobs], [False] * len(jobs)


def red(images: list[Image.Image]) -> list[float]:
    """A screen that flags red pictures (a synthetic flagged image)."""
    rgb = [np.asarray(i.convert("RGB"), float) for i in images]
    return [0.97 if a[..., 0].mean() > a[..., 2].mean() else 0.03 for a in rgb]


def test_a_flagged_picture_is_repainted_then_falls_back_with_its_scores(made: dict) -> None:
    template = load_template(FIXTURES / f"{SHORT_GENRE}.yaml").template
    jobs = [(template, shot) for shot in made["ep"].script().shots[:2]]
    painter = ScreenedPainter(FakePainter(), red)
    images, fell_back = painter.paint(jobs, 72, 128)
    assert painter.inner.calls == [0, 2]  # repainted once, from seeds no attempt had used
    assert fell_back == [False, False]
    assert [r["outcome"] for r in painter.report] == ["repainted", "repainted"]
    assert painter.report[0]["scores"] == [0.97, 0.03]

    def everything(images: list[Image.Image]) -> list[float]:
        return [0.9] * len(images)

    painter = ScreenedPainter(FakePainter(), everything)
    images, fell_back = painter.paint(jobs, 72, 128)
    assert fell_back == [True, True]  # flagged twice: the storyboard drawing
    assert [r["outcome"] for r in painter.report] == ["storyboard", "storyboard"]
    assert painter.report[1]["scores"] == [0.9, 0.9]
    assert screening_summary(painter.report)["nsfw_fallbacks"] == 2
    assert images[0].size == (72, 128) and np.asarray(images[0]).std() > 5


def test_the_shipped_classifier_passes_a_storyboard_frame(made: dict) -> None:
    frame = Image.open(made["ep"].keyframes()[0]).convert("RGB")
    (score,) = NsfwScreen()([frame])
    assert 0.0 <= score < 0.5


def test_the_frames_stage_keeps_the_screens_scores(made: dict, tmp_path: Path) -> None:
    source = made["ep"]
    ep = Episode(MediaStore(tmp_path / "storage"), source.key)
    for artifact in ("premise", "script"):
        shutil.copytree(source.dir(artifact), ep.dir(artifact))
    template = load_template(FIXTURES / f"{SHORT_GENRE}.yaml").template
    painter = ScreenedPainter(FakePainter(), red)
    (staged,) = stages.make_frames([(ep, template)], VideoSettings(), painter)
    assert not isinstance(staged, GateFailure), str(staged)
    shots = len(ep.script().shots)
    assert staged.notes == {"storyboard_fallbacks": 0}  # every shot repainted, none fell back
    assert stages.screening_of(ep) == {
        "nsfw_screened": 2 * shots,
        "nsfw_max": 0.97,
        "nsfw_repainted": shots,
        "nsfw_fallbacks": 0,
    }


def clip(color: str, path: Path) -> Path:
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color={color}:s=72x128:d=1"),
            *("-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )
    return path


def test_a_flagged_clip_is_made_again_then_pans(tmp_path: Path) -> None:
    jobs = [MotionJob(tmp_path / "still.png", 1.0, "a shot", 7, 72, 128, 24)]
    again: list[int] = []

    def blue(reseeded: list[MotionJob]) -> list[Path | None]:
        again.append(reseeded[0].seed)
        return [clip("blue", tmp_path / "blue.mp4")]

    made, report = screen_clips(jobs, [clip("red", tmp_path / "red.mp4")], blue, red)
    assert made == [tmp_path / "blue.mp4"] and again and again[0] != 7
    assert report == [{"scores": [0.97, 0.03], "outcome": "reanimated"}]
    made, report = screen_clips(
        jobs,
        [clip("red", tmp_path / "red.mp4")],
        lambda js: [clip("red", tmp_path / "red2.mp4")],
        red,
    )
    assert made == [None] and report[0]["outcome"] == "pan"  # the shot pans its still


def test_the_label_passes_each_locales_content_policy() -> None:
    """The label is published text: the content policy covers it as it covers the lines (the
    voice stage's content_policy gate reads it in every locale)."""
    policy = ContentPolicy.load(REPO / "templates" / "policy")
    for locale, text in LABELS.items():
        assert policy.hits(text, locale) == [], (locale, text)


def test_the_disclosure_comes_from_configuration(tmp_path: Path) -> None:
    from resources.config import configured, default_resources

    env = configured(
        {
            "MICRODRAMA_FILING_NUMBER": FILING,
            "MICRODRAMA_AI_MARK": "1",
            "MICRODRAMA_PRODUCER": "Studio 9",
            "MICRODRAMA_CACHE": str(tmp_path),
        }
    )
    prov = default_resources(env)["disclosure"].provenance({"painter": "embedded"})
    said = prov.disclosure
    assert (said.filing_number, said.ai_mark, said.producer) == (FILING, True, "Studio 9")
    credentials = prov.credentials()  # none configured: the development pair, made here
    assert credentials.development and credentials.cert.is_relative_to(tmp_path)
    from cryptography import x509

    signer = x509.load_pem_x509_certificates(credentials.cert.read_bytes())[0]
    assert "UNTRUSTED" in signer.subject.rfc4514_string()  # it says so itself
