"""The localized stage: each locale's sound, subtitles and burned-in MP4 on the cut's
timeline, and the master playlist over them all."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from microdrama.av.ffmpeg import probe
from microdrama.av.loudness import (
    LIMIT_DBTP,
    MAX_TRUE_PEAK_DBTP,
    TARGET_LUFS,
    TOLERANCE_LU,
    decode_audio,
    integrated_loudness,
    normalize,
    true_peak,
)
from microdrama.av.timing import MAX_TEMPO, ShotTiming, place_lines
from microdrama.av.wav import read_wav, speed_up, write_wav
from microdrama.media import read_json, write_bytes, write_json
from microdrama.music.gates import music_audible, music_under_speech
from microdrama.music.mix import duck
from microdrama.music.mix import mix as mix_stems
from microdrama.picture import compositor
from microdrama.picture.captions import CaptionPainter, Cue, split_cues, to_srt, to_vtt
from microdrama.picture.compositor import VideoSettings
from microdrama.picture.fonts import font_for
from microdrama.provenance.aigc import (
    AIGC_FILE,
    SESSION_DATA_ID,
    aigc_record,
    aigc_tags,
    produce_id,
)
from microdrama.provenance.credentials import manifest_definition, sign_file, sign_rendition
from microdrama.provenance.label import label_srt, label_text, label_vtt, opening_overlays
from microdrama.provenance.stamp import Provenance
from microdrama.provenance.verify import check_master, check_mp4, provenance_gate
from microdrama.quality.gates import (
    Gate,
    cue_gates,
    gate,
    locales_gate,
    media_gates,
    merge,
    seal,
)
from microdrama.stages.cut import TIMELINE
from microdrama.stages.episode import Episode, Staged
from microdrama.stages.motion import comic_frames, motion_clips
from microdrama.stages.music import SCORE
from microdrama.stages.voice import dubbed_lines, voiced
from microdrama.streaming.checks import package_gate, sound_gates
from microdrama.streaming.ladder import PLAYLIST, Rung, describe_rung
from microdrama.streaming.master import LocaleRenditions, write_master
from microdrama.streaming.renditions import (
    SUBTITLES_PLAYLIST,
    SUBTITLES_SEGMENT,
    encode_sound,
    write_subtitles,
)
from microdrama.words.story import Script
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate
from microdrama.words.text import is_rtl, line_columns, reading_cps

CAPTION_LINGER = 0.25


LOCALIZED_SUMMARY = "summary.json"  # localized/: {locale: summary}


MASTER = "master.m3u8"


def shots_of(timeline: dict) -> list[ShotTiming]:
    """The picture's shots (their lines are placed per locale by `place_lines`)."""
    return [ShotTiming(s["start"], s["duration"], []) for s in timeline["shots"]]


def make_localized(
    ep: Episode,
    template: GenreTemplate,
    settings: VideoSettings,
    burned_in: list[str],
    provenance: Provenance | None = None,
) -> Staged[dict]:
    """Every dubbed locale on the cut's timeline: its sound and subtitle renditions, a
    burned-in MP4 where `burned_in` names it, and the master playlist over them all.

    Every delivered file says it is AI-generated (`provenance`): each subtitle rendition opens
    with the label in its language, each burned-in MP4 with the label card; every MP4 and init
    segment carries the AIGC record, the master playlist points at it, and every MP4 and
    rendition is signed with a C2PA manifest that the `provenance` gate reads back.

    The picture is the cut's, so a locale added later (dubbed by `voice`, then placed here)
    never re-encodes it; a line longer than its slot on that timeline is sped up to fit, within
    `MAX_TEMPO`. A locale that fails its gates is left out and the others ship.
    """
    cut_dir = ep.fetch("cut")
    script, timeline, dubs = ep.script(), read_json(cut_dir / TIMELINE), voiced(ep)
    stamp = _Stamp.of(provenance or Provenance(), ep, script, timeline, cut_dir)
    shipped, by_locale = {}, {}
    left_out = dict(dubs["left_out"])
    for artifact in ("voice", "motion", "music"):  # fetched once, before the threads read them
        ep.fetch(artifact)
    with ep.store.staged(ep.dir("localized")) as tmp, ThreadPoolExecutor(2) as pool:

        def place(locale: str) -> tuple[list[Gate], dict]:
            title, burn = dubs["locales"][locale]["title"], locale in burned_in
            folder = tmp / locale
            return _place(ep, script, timeline, locale, title, burn, settings, folder, stamp)

        # two locales at a time: each is numpy and ffmpeg work that leaves the GIL
        placed = pool.map(place, dubs["locales"])
        for locale, (gates, shipped[locale]) in zip(dubs["locales"], placed, strict=True):
            failed = [f"{g.name}: {g.reason}" for g in gates if not g.passed]
            if failed and locale != SOURCE_LOCALE:
                left_out[locale] = failed
                shipped.pop(locale)
                shutil.rmtree(tmp / locale, ignore_errors=True)
                continue
            by_locale[locale] = gates
        master = write_master(
            tmp / MASTER,
            [describe_rung(cut_dir / "video", Rung(**r), settings, tmp) for r in timeline["rungs"]],
            [
                LocaleRenditions(loc, f"{loc}/audio/{PLAYLIST}", f"{loc}/{SUBTITLES_PLAYLIST}")
                for loc in shipped
            ],
            SOURCE_LOCALE,
            {SESSION_DATA_ID: AIGC_FILE},
        )
        write_json(tmp / LOCALIZED_SUMMARY, shipped)
        with stamp.prov.timed():
            write_json(tmp / AIGC_FILE, stamp.aigc_file(shipped))
            mp4s = [tmp / loc / "episode.mp4" for loc in shipped if shipped[loc]["burned_in"]]
            signed = provenance_gate([*check_master(master), *map(check_mp4, mp4s)])
        targets = [loc for loc in shipped if loc != SOURCE_LOCALE]
        found = [
            *merge(by_locale),
            package_gate(master, list(shipped)),
            signed,
            locales_gate(left_out, targets),
        ]
        gates = seal("localized", found, tmp)
    return Staged(shipped, ep.store.read_manifest(ep.dir("localized")), gates)


def _place(
    ep: Episode,
    script: Script,
    timeline: dict,
    locale: str,
    title: str,
    burn: bool,
    settings: VideoSettings,
    folder: Path,
    stamp: _Stamp,
) -> tuple[list[Gate], dict]:
    """One locale on the shared timeline in `folder`: its gates and its summary."""
    clips = dubbed_lines(ep, locale)
    total, shots = timeline["seconds"], shots_of(timeline)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".sound.", dir=folder.parent) as scratch:
        work = Path(scratch)
        starts, spoken, fits = _fit_lines(ep, script, shots, clips, locale, work)
        cues = []
        for i, (start, (_, seconds)) in enumerate(zip(starts, spoken, strict=True)):
            end = start + seconds + CAPTION_LINGER
            if i + 1 < len(starts):
                end = min(end, starts[i + 1])
            cues.append(Cue(round(start, 3), round(end, 3), clips[i]["text"]))
        # the rows the burned-in painter draws are the layout every caption gate measures
        painter = CaptionPainter(
            font_for(locale),
            settings.width,
            settings.caption_px,
            line_columns(locale),
            is_rtl(locale),
        )
        cuts = [shot.start + shot.duration for shot in shots]
        cues = split_cues(cues, painter, reading_cps(locale), total, cuts)
        mix, scored = _mix_with_score(ep, starts, spoken, total, work / "mix.wav")
        write_bytes(folder / "episode.srt", to_srt(cues).encode())
        write_bytes(folder / "episode.vtt", to_vtt(cues).encode())
        write_subtitles(cues, total, folder)
        sound = encode_sound(mix, folder / "audio", settings, aigc_tags(stamp.record))
        for last in [False] * (REMASTER_TRIES - 1) + [True]:
            if not _remaster(sound, mix, last):
                break
            shutil.rmtree(folder / "audio")
            sound = encode_sound(mix, folder / "audio", settings, aigc_tags(stamp.record))
        with stamp.prov.timed():
            stamp.label_subtitles(folder, locale)
            sign_rendition(sound, stamp.definition, stamp.prov.credentials())
        timed = {
            "locale": locale,
            "seconds": total,
            "title": title,
            "cues": [c.__dict__ for c in cues],
        }
        write_json(folder / TIMELINE, timed)
        burned = gate("burned_in", [], "not configured for this locale")
        if burn:
            compositor.render(
                ep.keyframes(),
                [s.type for s in script.shots],
                shots,
                cues,
                title,
                painter,
                mix,
                folder / "episode.mp4",
                settings,
                motion_clips(ep),
                opening_overlays(
                    stamp.prov.disclosure, settings.width, settings.height, total, locale
                ),
                aigc_tags(stamp.record),
                frames=comic_frames(ep),
            )
            with stamp.prov.timed():
                sign_file(folder / "episode.mp4", stamp.definition, stamp.prov.credentials())
            found = media_gates(
                folder / "episode.mp4", timed, settings.width, settings.height, painter
            )
            failing = [f"{g.name}: {g.reason}" for g in found if not g.passed]
            burned = gate("burned_in", failing, f"{settings.width}x{settings.height} mp4 passed")
    gates = [fits, *sound_gates(sound, total), *scored, *cue_gates(timed, total, painter), burned]
    return gates, {"title": title, "seconds": total, "burned_in": burn}


HEADROOM_MARGIN_DB = 0.3
REMASTER_TRIES = 3  # noise-like audio (a random test model's voice) can overshoot twice


def _remaster(sound: Path, mix: Path, last: bool) -> bool:
    """Whether the decoded rendition misses the delivery targets; if so, the mix (which the
    burned-in MP4 encodes too) is mastered again to what the encoder made of it.

    The encoder drops loudness (AAC's low-pass) and overshoots the ceiling (it rebuilds the
    waveform), so the mix aims higher by what was lost and limits lower by what was over.
    Limiting harder makes noise-like audio overshoot more, so the `last` try only turns the
    whole mix down or up: the encoder's peaks and loudness follow a gain."""
    audio = next(s for s in probe(sound)["streams"] if s["codec_type"] == "audio")
    decoded_rate = int(audio["sample_rate"])
    decoded = decode_audio(sound).reshape(-1, int(audio["channels"]))
    lost = TARGET_LUFS - integrated_loudness(decoded, decoded_rate)
    over = true_peak(decoded, decoded_rate) - MAX_TRUE_PEAK_DBTP
    if (over <= 0 and abs(lost) <= TOLERANCE_LU / 2) or not np.isfinite(lost):
        return False
    rate, samples = read_wav(mix)
    if last:  # up by what was lost where the peaks allow it; down where they are over
        headroom = -over - HEADROOM_MARGIN_DB
        gain_db = min(lost, headroom if over > 0 else max(headroom, 0.0))
        write_wav(mix, rate, (samples * 10 ** (gain_db / 20)).astype(np.float32))
        return True
    ceiling = min(LIMIT_DBTP, true_peak(samples, rate)) - max(0.0, over + HEADROOM_MARGIN_DB)
    target = integrated_loudness(samples, rate) + lost
    write_wav(mix, rate, normalize(samples, rate, target, ceiling))
    return True


def _fit_lines(
    ep: Episode,
    script: Script,
    shots: list[ShotTiming],
    clips: list[dict],
    locale: str,
    work: Path,
) -> tuple[list[float], list[tuple[Path, float]], Gate]:
    """The locale's lines on the picture's shots: their starts, each clip as spoken (sped up
    into `work` where it must be, to fit) with its seconds, and the `fits` gate."""
    voice_dir = ep.fetch("voice") / locale
    takes = iter([c["seconds"] for c in clips])
    starts, tempos = place_lines(shots, [[next(takes) for _ in s.lines] for s in script.shots])
    spoken, too_fast = [], []
    for n, (clip, tempo) in enumerate(zip(clips, tempos, strict=True), 1):
        path = voice_dir / clip["file"]
        if tempo > MAX_TEMPO:
            too_fast.append(f"line {n} needs {tempo:.2f}x speed to fit the picture")
        elif tempo > 1.0:
            path = speed_up(path, tempo, work / clip["file"])
        spoken.append((path, round(clip["seconds"] / tempo, 3)))
    sped = sum(t > 1.0 for t in tempos)
    return starts, spoken, gate("fits", too_fast, f"{sped} line(s) sped up to fit")


def _mix_with_score(
    ep: Episode,
    starts: list[float],
    spoken: list[tuple[Path, float]],
    total: float,
    out: Path,
) -> tuple[Path, list[Gate]]:
    """The locale's dialogue over the episode's score, ducked under every line and brought
    to the loudness target, as a WAV at `out`; and the gates of the score in this mix."""
    rate, music = read_wav(ep.fetch("music") / SCORE)
    placed = [(start, path) for start, (path, _) in zip(starts, spoken, strict=True)]
    _, dialogue = compositor.dialogue_track(placed, total, rate)
    dialogue = np.pad(dialogue, (0, max(0, music.size - dialogue.size)))[: music.size]
    speech = [(start, start + seconds) for start, (_, seconds) in zip(starts, spoken, strict=True)]
    ducked = duck(dialogue, music, rate, speech)
    mixed = mix_stems(dialogue, ducked, rate)
    write_wav(out, rate, mixed)
    return out, [
        music_under_speech(dialogue, ducked, rate, speech),
        music_audible(mixed, rate, speech),
    ]


def variant_paths(ep: Episode, locales: list[str]) -> dict[str, dict[str, Path]]:
    """locale -> {"video": burned-in mp4 (where one was made), "subtitles": vtt}, for episodes
    of this scheme (localized/<locale>/) and of the one before it (cut/ for the source)."""
    out = {}
    for locale in locales:
        folder = ep.dir("localized") / locale
        if not (folder / "episode.vtt").exists() and locale == SOURCE_LOCALE:
            folder = ep.dir("cut")  # an episode made before the HLS package
        paths = {"subtitles": folder / "episode.vtt"}
        if (folder / "episode.mp4").exists():
            paths["video"] = folder / "episode.mp4"
        out[locale] = paths
    return out


def package_path(ep: Episode) -> Path | None:
    """The episode's HLS master playlist, if it was made with one."""
    path = ep.dir("localized") / MASTER
    return path if path.exists() else None


@dataclass(frozen=True)
class _Stamp:
    """What every file of one episode's package says about its origin: the AIGC record, the
    C2PA manifest to sign with, and the settings they came from."""

    prov: Provenance
    record: dict[str, str]
    definition: dict

    @classmethod
    def of(
        cls, prov: Provenance, ep: Episode, script: Script, timeline: dict, cut_dir: Path
    ) -> _Stamp:
        """The cut's content id (an older cut without one: its manifest digest)."""
        with prov.timed():
            content_id = timeline.get("produce_id") or produce_id(
                str(ep.key), ep.store.read_manifest(cut_dir).digest
            )
            record = aigc_record(prov.disclosure, content_id)
            definition = manifest_definition(script.title, str(ep.key), prov.backends, record)
        return cls(prov, record, definition)

    def label_subtitles(self, folder: Path, locale: str) -> None:
        """The label as the first cue of the locale's SRT, WebVTT and subtitle rendition."""
        filing = self.prov.disclosure.filing_number
        for name in ("episode.vtt", SUBTITLES_SEGMENT):
            path = folder / name
            path.write_text(label_vtt(path.read_text(), locale, filing))
        srt = folder / "episode.srt"
        srt.write_text(label_srt(srt.read_text(), locale, filing))

    def aigc_file(self, shipped: dict) -> dict:
        """aigc.json: the record, the label each locale shows, the filing number, the signer."""
        credentials = self.prov.credentials()
        return {
            "AIGC": self.record,
            "label": {loc: label_text(loc) for loc in shipped},
            "filing_number": self.prov.disclosure.filing_number,
            "credentials": "development (untrusted)" if credentials.development else "configured",
            "backends": self.prov.backends,
        }
