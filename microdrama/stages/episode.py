"""The stages of one episode, as plain functions over the media store.

Dagster assets call these; so do the benchmark and the tests. Each stage builds its artifact
folder in a staging directory and swaps it in whole, so a failed stage never leaves a partial
artifact where the last good one was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from microdrama.av.timing import MAX_TEMPO, ShotTiming, place_lines, shared_timeline
from microdrama.av.wav import read_wav, speed_up, write_wav
from microdrama.keys import EpisodeKey
from microdrama.locales.espeak import Speaker
from microdrama.locales.translation import LocalizationError, Localizer, NeuralTranslator
from microdrama.media import Manifest, MediaStore, read_json, write_bytes, write_json
from microdrama.models.painter import prompt, seed
from microdrama.motion.animator import Animator, MotionJob
from microdrama.motion.gate import clip_gate
from microdrama.music.gates import music_audible, music_under_speech, no_clipping, stingers_on_cuts
from microdrama.music.mix import duck
from microdrama.music.mix import mix as mix_stems
from microdrama.music.moods import Moods
from microdrama.music.render import Composer
from microdrama.music.score import ScoreRequest
from microdrama.picture import compositor
from microdrama.picture.captions import CaptionPainter, Cue, to_srt, to_vtt
from microdrama.picture.compositor import VideoSettings
from microdrama.picture.fonts import font_for
from microdrama.picture.storyboard import Painter, contact_sheet
from microdrama.quality.gates import (
    Continuity,
    Gate,
    GateFailure,
    cue_gates,
    frames_gates,
    gate,
    locales_gate,
    media_gates,
    merge,
    policy_gate,
    premise_gates,
    script_gates,
    seal,
    speech_gates,
    translation_gate,
)
from microdrama.release import Release
from microdrama.streaming.checks import package_gate, picture_gates, sound_gates
from microdrama.streaming.ladder import PLAYLIST, Rung, describe_rung, encode_picture
from microdrama.streaming.master import LocaleRenditions, write_master
from microdrama.streaming.renditions import SUBTITLES_PLAYLIST, encode_sound, write_subtitles
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.rewrite import (
    Writer,
    apply_premise,
    apply_script,
    line_problem,
    premise_requests,
    problem,
    script_requests,
    written,
)
from microdrama.words.story import Premise, Script, write_premise, write_script
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate

CAPTION_LINGER = 0.25
TEMPLATE_FILE = "template.json"  # a concept episode's own template, beside its premise
T = TypeVar("T")


@dataclass(frozen=True)
class Staged(Generic[T]):
    """A stage's result for one episode: what it made, its manifest, its gates, and notes
    (what a model backend left to the embedded default) for the asset's metadata."""

    made: T
    manifest: Manifest
    gates: list[Gate]
    notes: dict[str, object] = field(default_factory=dict)


def each(items: list[T], make: Callable[[T], Staged]) -> list[Staged | GateFailure]:
    """`make` for every episode of a batch; one refused artifact does not stop the others."""
    out: list[Staged | GateFailure] = []
    for item in items:
        try:
            out.append(make(item))
        except GateFailure as failure:
            out.append(failure)
    return out


@dataclass(frozen=True)
class Episode:
    """Where one partition's artifacts live."""

    store: MediaStore
    key: EpisodeKey

    @property
    def genre(self) -> str:
        return self.key.genre

    def dir(self, artifact: str) -> Path:
        """Where the artifact is built and read locally."""
        return self.store.artifact_dir(self.key, artifact)

    def fetch(self, artifact: str) -> Path:
        """The artifact's folder, up to date with the object store when there is one."""
        return self.store.fetch(self.dir(artifact))

    def premise(self) -> Premise:
        return Premise(**read_json(self.fetch("premise") / "premise.json"))

    def previous_premise(self) -> Premise | None:
        """The premise already made for this slot, if any."""
        path = self.fetch("premise") / "premise.json"
        return Premise(**read_json(path)) if path.exists() else None

    def own_template(self) -> GenreTemplate | None:
        """The template a concept genre's premise wrote for this episode alone, if any."""
        path = self.fetch("premise") / TEMPLATE_FILE
        return GenreTemplate.model_validate(read_json(path)) if path.exists() else None

    def script(self) -> Script:
        return Script.from_dict(read_json(self.fetch("script") / "script.json"))

    def keyframes(self) -> list[Path]:
        return sorted(self.fetch("frames").glob("shot_*.png"))


def make_premise(
    ep: Episode,
    template: GenreTemplate,
    template_hash: str,
    trends: pd.DataFrame | None,
    release: Release,
    policy: ContentPolicy,
    writer: Writer | None = None,
    concept: dict | None = None,
) -> Staged[Premise]:
    """The premise; a concept genre's episode also keeps its concept and its own template."""
    premise = write_premise(template, template_hash, trends, release)
    if concept:
        premise = replace(premise, concept=concept)
    notes: dict[str, object] = {}
    if writer is not None:
        requests = premise_requests(template, premise)
        texts = writer(requests, lambda r, text: problem(r, text, policy))
        premise, notes = apply_premise(premise, texts), written(requests, texts)
    with ep.store.staged(ep.dir("premise")) as tmp:
        write_json(tmp / "premise.json", premise.__dict__)
        if concept:
            write_json(tmp / TEMPLATE_FILE, template.model_dump(mode="json"))
        gates = seal("premise", premise_gates(premise, policy, SOURCE_LOCALE), tmp)
    return Staged(premise, ep.store.read_manifest(ep.dir("premise")), gates, notes)


def make_script(
    ep: Episode,
    template: GenreTemplate,
    policy: ContentPolicy,
    writer: Writer | None = None,
    continuity: Continuity | None = None,
) -> Staged[Script]:
    script = write_script(template, ep.premise())
    notes: dict[str, object] = {}
    if writer is not None:
        requests = script_requests(template, script)
        texts = writer(requests, lambda r, text: line_problem(r, text, policy))
        script = apply_script(script, texts, template.runtime_seconds)
        notes = written(requests, texts)
    with ep.store.staged(ep.dir("script")) as tmp:
        write_json(tmp / "script.json", script.to_dict())
        write_bytes(tmp / "script.md", script.to_markdown().encode())
        gates = seal(
            "script", script_gates(script, template, policy, SOURCE_LOCALE, continuity), tmp
        )
    return Staged(script, ep.store.read_manifest(ep.dir("script")), gates, notes)


def make_frames(
    batch: list[tuple[Episode, GenreTemplate]], settings: VideoSettings, painter: Painter
) -> list[Staged[Path] | GateFailure]:
    """One keyframe per shot plus a contact sheet (the made path) for every episode of a batch.

    Every shot of every episode goes to the painter in one call, so a model paints them in
    batches; each episode's frames are then gated and swapped in on their own.
    """
    scripts = [ep.script() for ep, _ in batch]
    jobs = [
        (template, shot)
        for (_, template), script in zip(batch, scripts, strict=True)
        for shot in script.shots
    ]
    images, fell_back = painter.paint(jobs, settings.width, settings.height)
    painted = iter(zip(images, fell_back, strict=True))
    per_episode = [[next(painted) for _ in script.shots] for script in scripts]

    def stage(item: tuple[tuple[Episode, GenreTemplate], Script, list]) -> Staged[Path]:
        (ep, _), script, frames = item
        with ep.store.staged(ep.dir("frames")) as tmp:
            for shot, (image, _) in zip(script.shots, frames, strict=True):
                # the fastest zlib level: a keyframe is read once, by the cut's ffmpeg
                image.save(tmp / f"shot_{shot.index:02d}.png", compress_level=1)
            contact_sheet([image for image, _ in frames]).save(
                tmp / "contact_sheet.jpg", quality=80
            )
            keyframes = sorted(tmp.glob("shot_*.png"))
            found = frames_gates(keyframes, len(script.shots), settings.width, settings.height)
            gates = seal("frames", found, tmp)
        notes = {"storyboard_fallbacks": sum(flag for _, flag in frames)} if painter.neural else {}
        return Staged(
            ep.dir("frames") / "contact_sheet.jpg",
            ep.store.read_manifest(ep.dir("frames")),
            gates,
            notes,
        )

    return each(list(zip(batch, scripts, per_episode, strict=True)), stage)


def _speak_all(
    template: GenreTemplate,
    script: Script,
    texts: list[str],
    locale: str,
    folder: Path,
    speaker: Speaker,
) -> list[dict]:
    """Synthesize every line (`speaker.workers` at a time); return path/duration records."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [
        (i, shot_line[1], text)
        for i, (shot_line, text) in enumerate(zip(script.lines, texts, strict=True))
    ]

    def speak(job: tuple) -> dict:
        i, line, text = job
        path = folder / f"line_{i:03d}.wav"
        seconds = speaker.synthesize(
            text, template.character(line.speaker).voice, locale, line.emotion, path
        )
        return {
            "file": path.name,
            "speaker": line.speaker,
            "text": text,
            "seconds": round(seconds, 3),
        }

    with ThreadPoolExecutor(speaker.workers) as pool:
        return list(pool.map(speak, jobs))


VOICE_SUMMARY = "summary.json"  # voice/: {"locales": {locale: summary}, "left_out": {...}}
LOCALIZED_SUMMARY = "summary.json"  # localized/: {locale: summary}
TIMELINE = "timeline.json"
MASTER = "master.m3u8"


def make_voice(
    ep: Episode,
    template: GenreTemplate,
    locales: list[str],
    phrasebook_dir: Path,
    policy: ContentPolicy,
    speaker: Speaker,
    translator: Callable[[str], NeuralTranslator | None],
) -> Staged[dict]:
    """Every configured locale's dub, before the cut, so one timeline can fit them all.

    The source speaks the script; each target locale is translated, then spoken.
    `translator(locale)` may put a model in front of the locale's embedded translator. A target
    locale that fails its gates (or has no way to be translated) is left out and the others
    ship; the `all_locales` warning says which and why.
    """
    script = ep.script()
    shipped, by_locale, left_out, before = {}, {}, {}, speaker.fallbacks
    names = {c.name for c in template.characters} | {
        name for c in template.characters for name in c.names.values()
    }
    targets = [loc for loc in locales if loc != SOURCE_LOCALE]
    with ep.store.staged(ep.dir("voice")) as tmp:
        for locale in [SOURCE_LOCALE, *targets]:
            try:
                localizer = Localizer.for_locale(locale, phrasebook_dir, translator(locale))
                gates, shipped[locale] = _dub(
                    template, script, localizer, names, policy, speaker, tmp / locale
                )
            except LocalizationError as exc:  # no way to translate: the locale sits this out
                gates = [gate("translated", [str(exc)], "")]
            failed = [f"{g.name}: {g.reason}" for g in gates if not g.passed]
            if failed and locale != SOURCE_LOCALE:
                left_out[locale] = failed  # one locale never holds back the others
                shipped.pop(locale, None)
                shutil.rmtree(tmp / locale, ignore_errors=True)
                continue
            by_locale[locale] = gates
        write_json(tmp / VOICE_SUMMARY, {"locales": shipped, "left_out": left_out})
        found = [
            *merge(by_locale),
            locales_gate(left_out, [loc for loc in shipped if loc in targets]),
        ]
        gates = seal("voice", found, tmp)
    notes = {"espeak_fallbacks": speaker.fallbacks - before} if speaker.neural else {}
    return Staged(shipped, ep.store.read_manifest(ep.dir("voice")), gates, notes)


def _dub(
    template: GenreTemplate,
    script: Script,
    localizer: Localizer,
    names: set[str],
    policy: ContentPolicy,
    speaker: Speaker,
    folder: Path,
) -> tuple[list[Gate], dict]:
    """One locale's lines translated and spoken into `folder`: its gates and its summary."""
    locale = localizer.locale
    slots_at = {
        (shot.location, shot.prop): localizer.slots(
            template, script.topic, shot.location, shot.prop
        )
        for shot in script.shots
    }
    patterns = [line.pattern for _, line in script.lines]
    slots = [slots_at[shot.location, shot.prop] for shot, _ in script.lines]
    sources = [line.text for _, line in script.lines]
    rewritten = [line.rewritten for _, line in script.lines]
    translated = localizer.translate(patterns, slots, sources, rewritten)
    title = localizer.title(template, script.title, script.topic)
    clips = _speak_all(template, script, [t.text for t in translated], locale, folder, speaker)
    for clip, t, source in zip(clips, translated, sources, strict=True):
        clip["method"], clip["source"] = t.method, source
    write_json(folder / "lines.json", clips)
    methods = [t.method for t in translated]
    texts = {f"line {n}": c["text"] for n, c in enumerate(clips, 1)}
    gates = [
        translation_gate(clips, names)
        if locale != SOURCE_LOCALE
        else gate("translated", [], f"{locale} is the source"),
        *speech_gates(clips, folder),
        policy_gate(policy, locale, {"title": title, **texts}),
    ]
    summary = {
        "title": title,
        "speech_seconds": round(sum(c["seconds"] for c in clips), 3),
        "methods": {m: methods.count(m) for m in sorted(set(methods))},
    }
    return gates, summary


def voiced(ep: Episode) -> dict:
    """The voice stage's summary: the locales it dubbed, and those it left out and why."""
    return read_json(ep.fetch("voice") / VOICE_SUMMARY)


def dubbed_lines(ep: Episode, locale: str) -> list[dict]:
    return read_json(ep.fetch("voice") / locale / "lines.json")


def picture_timeline(ep: Episode, template: GenreTemplate) -> list[ShotTiming]:
    """The shots' timing for every dubbed locale: each shot as long as its longest dub."""
    script, per_locale = ep.script(), []
    for locale in voiced(ep)["locales"]:
        seconds = iter([clip["seconds"] for clip in dubbed_lines(ep, locale)])
        per_locale.append([[next(seconds) for _ in shot.lines] for shot in script.shots])
    return shared_timeline(per_locale, template.runtime_seconds)


CLIPS = "clips.json"  # motion/: per shot, its clip's file name or null (the eased pan), and why


def make_motion(
    batch: list[tuple[Episode, GenreTemplate]], settings: VideoSettings, animator: Animator | None
) -> list[Staged[list] | GateFailure]:
    """A moving clip per shot, held to the picture's timing, for every episode of a batch;
    without an animator (the embedded default) every shot keeps the eased pan.

    Every shot of every episode goes to the animator in one call, so a model moves them in
    batches. A clip that fails its gate is left out and its shot pans, noted in `notes`.
    """
    plans = [(ep, template, picture_timeline(ep, template)) for ep, template in batch]
    size = (settings.width, settings.height, settings.fps)
    jobs = [
        MotionJob(still, timing.duration, prompt(template, shot), seed(template, shot), *size)
        for ep, template, timings in plans
        for still, shot, timing in zip(ep.keyframes(), ep.script().shots, timings, strict=True)
    ]
    with tempfile.TemporaryDirectory(prefix=".motion.", dir=batch[0][0].store.root) as work:
        made = animator.animate(jobs, Path(work)) if animator and jobs else [None] * len(jobs)
        why = {n["shot"]: n["reason"] for n in animator.notes} if animator else {}
        per_episode, first = [], 0
        for ep, _, timings in plans:
            shots = range(first, first + len(timings))
            takes = [(made[n], why.get(n, "embedded: the eased pan")) for n in shots]
            per_episode.append((ep, timings, takes))
            first += len(timings)
        staged = each(per_episode, lambda item: _stage_motion(*item, settings))
    if animator is None:
        return staged
    return [
        s if isinstance(s, GateFailure) else replace(s, notes=_pan_notes(s.made)) for s in staged
    ]


def _stage_motion(
    ep: Episode,
    timings: list[ShotTiming],
    takes: list[tuple[Path | None, str]],
    settings: VideoSettings,
) -> Staged[list]:
    """One episode's clips (a clip, or why its shot pans) swapped in with their gate."""
    with ep.store.staged(ep.dir("motion")) as tmp:
        clips, failing = [], []
        for shot, (timing, (clip, reason)) in enumerate(zip(timings, takes, strict=True)):
            if clip is None:
                clips.append({"shot": shot, "file": None, "reason": reason})
                continue
            name = f"shot_{shot:02d}.mp4"
            shutil.copyfile(clip, tmp / name)
            clips.append({"shot": shot, "file": name, "seconds": timing.duration})
            kept = clip_gate(
                tmp / name, timing.duration, settings.width, settings.height, settings.fps
            )
            if not kept.passed:
                failing.append(f"shot {shot}: {kept.reason}")
        write_json(tmp / CLIPS, clips)
        moving = sum(c["file"] is not None for c in clips)
        ok = f"{moving} of {len(clips)} shots move, the rest pan"
        gates = seal("motion", [gate("clips", failing, ok, moving=moving)], tmp)
    return Staged(clips, ep.store.read_manifest(ep.dir("motion")), gates)


def _pan_notes(clips: list[dict]) -> dict[str, object]:
    """How many shots a model left to the eased pan, and why, for the asset's metadata."""
    panned = [c for c in clips if c["file"] is None]
    reasons = "; ".join(f"shot {c['shot']}: {c['reason']}" for c in panned)
    return {"pan_fallbacks": len(panned), "pan_reasons": reasons or "none"}


def motion_clips(ep: Episode) -> list[Path | None]:
    """Each shot's motion clip, or None where the shot pans its still."""
    folder = ep.fetch("motion")
    return [folder / c["file"] if c["file"] else None for c in read_json(folder / CLIPS)]


def make_cut(ep: Episode, template: GenreTemplate, settings: VideoSettings) -> Staged[dict]:
    """One timeline for every dubbed locale (each shot as long as its longest dub; shorter ones
    hold), and the caption-free picture on it, encoded once as the HLS video ladder."""
    script = ep.script()
    timings = picture_timeline(ep, template)
    total = round(sum(t.duration for t in timings), 3)
    with ep.store.staged(ep.dir("cut")) as tmp:
        rungs = encode_picture(
            ep.keyframes(),
            [s.type for s in script.shots],
            timings,
            settings,
            tmp / "video",
            tmp / "poster.jpg",
            motion_clips(ep),
        )
        timeline = {
            "seconds": total,
            "fps": settings.fps,
            "shots": [{"start": t.start, "duration": t.duration} for t in timings],
            "rungs": [r.__dict__ for r in rungs],
            "fitted_to": list(voiced(ep)["locales"]),
        }
        write_json(tmp / TIMELINE, timeline)
        found = picture_gates(tmp / "video", rungs, total)
        gates = seal("cut", found, tmp)
    return Staged(timeline, ep.store.read_manifest(ep.dir("cut")), gates)


SCORE, SCORE_REQUEST = "score.wav", "request.json"  # music/: the score and what it was asked
STINGER_BEATS = ("twist", "cliffhanger")


def score_request(ep: Episode, moods: Moods) -> ScoreRequest:
    """What the episode's score is asked for: its genre's mood, its series' theme, the
    picture's length and cuts, and a stinger on the first cut of the twist and the cliffhanger."""
    script, timeline = ep.script(), read_json(ep.fetch("cut") / TIMELINE)
    cuts = [shot["start"] for shot in timeline["shots"]]
    first_cut = {}
    for shot, at in zip(script.shots, cuts, strict=True):
        first_cut.setdefault(shot.beat, at)
    return ScoreRequest(
        genre=ep.genre,
        series=ep.key.series_id,
        episode_number=ep.key.number,
        total_seconds=timeline["seconds"],
        cuts=cuts,
        stingers=[(first_cut[beat], beat) for beat in STINGER_BEATS if beat in first_cut],
        mood=moods.for_genre(ep.genre),
    )


def make_music(
    batch: list[Episode], settings: VideoSettings, composer: Composer, moods: Moods
) -> list[Staged[Path] | GateFailure]:
    """One score per episode, on the picture's timeline, that every locale plays under its
    dialogue; a batch goes to the composer at once (a model generates it in batches)."""
    requests = [score_request(ep, moods) for ep in batch]
    rate = settings.audio_rate
    with tempfile.TemporaryDirectory(prefix=".music.", dir=batch[0].store.root) as work:
        scores = composer.score(requests, rate, Path(work))

    def stage(item: tuple[Episode, ScoreRequest, tuple]) -> Staged[Path]:
        ep, request, (samples, fell_back) = item
        with ep.store.staged(ep.dir("music")) as tmp:
            write_wav(tmp / SCORE, rate, samples)
            asked = {"cuts": request.cuts, "stingers": request.stingers}
            write_json(tmp / SCORE_REQUEST, asked | {"mood": request.mood.model_dump()})
            length = len(samples) / rate
            drift = abs(length - request.total_seconds)
            found = [
                gate(
                    "length",
                    []
                    if drift <= 0.05
                    else [f"{length:.2f}s, the picture {request.total_seconds:.2f}s"],
                    f"{length:.2f}s, as long as the picture",
                    seconds=round(length, 3),
                ),
                stingers_on_cuts(samples, rate, request),
            ]
            gates = seal("music", found, tmp)
        notes = {"fell_back": fell_back} if composer.neural else {}
        return Staged(
            ep.dir("music") / SCORE, ep.store.read_manifest(ep.dir("music")), gates, notes
        )

    return each(list(zip(batch, requests, scores, strict=True)), stage)


def shots_of(timeline: dict) -> list[ShotTiming]:
    """The picture's shots (their lines are placed per locale by `place_lines`)."""
    return [ShotTiming(s["start"], s["duration"], []) for s in timeline["shots"]]


def make_localized(
    ep: Episode,
    template: GenreTemplate,
    settings: VideoSettings,
    burned_in: list[str],
) -> Staged[dict]:
    """Every dubbed locale on the cut's timeline: its sound and subtitle renditions, a
    burned-in MP4 where `burned_in` names it, and the master playlist over them all.

    The picture is the cut's, so a locale added later (dubbed by `voice`, then placed here)
    never re-encodes it; a line longer than its slot on that timeline is sped up to fit, within
    `MAX_TEMPO`. A locale that fails its gates is left out and the others ship.
    """
    cut_dir = ep.fetch("cut")
    script, timeline, dubs = ep.script(), read_json(cut_dir / TIMELINE), voiced(ep)
    shipped, by_locale = {}, {}
    left_out = dict(dubs["left_out"])
    for artifact in ("voice", "motion", "music"):  # fetched once, before the threads read them
        ep.fetch(artifact)
    with ep.store.staged(ep.dir("localized")) as tmp, ThreadPoolExecutor(2) as pool:

        def place(locale: str) -> tuple[list[Gate], dict]:
            title, burn = dubs["locales"][locale]["title"], locale in burned_in
            return _place(ep, script, timeline, locale, title, burn, settings, tmp / locale)

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
        )
        write_json(tmp / LOCALIZED_SUMMARY, shipped)
        targets = [loc for loc in shipped if loc != SOURCE_LOCALE]
        found = [
            *merge(by_locale),
            package_gate(master, list(shipped)),
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
        mix, scored = _mix_with_score(ep, starts, spoken, total, work / "mix.wav")
        write_bytes(folder / "episode.srt", to_srt(cues).encode())
        write_bytes(folder / "episode.vtt", to_vtt(cues).encode())
        write_subtitles(cues, total, folder)
        sound = encode_sound(mix, folder / "audio", settings)
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
                CaptionPainter(font_for(locale), settings.width, settings.caption_px),
                mix,
                folder / "episode.mp4",
                settings,
                motion_clips(ep),
            )
            found = media_gates(folder / "episode.mp4", timed, settings.width, settings.height)
            failing = [f"{g.name}: {g.reason}" for g in found if not g.passed]
            burned = gate("burned_in", failing, f"{settings.width}x{settings.height} mp4 passed")
    gates = [fits, *sound_gates(sound, total), *scored, *cue_gates(timed, total), burned]
    return gates, {"title": title, "seconds": total, "burned_in": burn}


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
        no_clipping(mixed),
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
