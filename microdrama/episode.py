"""The stages of one episode, as plain functions over the media store.

Dagster assets call these; so do the benchmark and the tests. Each stage builds its artifact
folder in a staging directory and swaps it in whole, so a failed stage never leaves a partial
artifact where the last good one was.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

import pandas as pd

from microdrama import compositor
from microdrama.compositor import VideoSettings
from microdrama.ffmpeg import run_ffmpeg
from microdrama.fonts import font_for
from microdrama.gates import (
    CHECKS,
    NON_BLOCKING,
    Continuity,
    Gate,
    GateFailure,
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
from microdrama.keys import EpisodeKey
from microdrama.localize import SOURCE_LOCALE, LocalizationError, Localizer, NeuralTranslator
from microdrama.media import Manifest, MediaStore, read_json, write_bytes, write_json
from microdrama.policy import ContentPolicy
from microdrama.release import Release
from microdrama.rewrite import (
    Writer,
    apply_premise,
    apply_script,
    line_problem,
    premise_requests,
    problem,
    script_requests,
    written,
)
from microdrama.story import Premise, Script, write_premise, write_script
from microdrama.storyboard import Painter, contact_sheet
from microdrama.subtitles import CaptionPainter, Cue, to_srt, to_vtt
from microdrama.template import GenreTemplate
from microdrama.timing import plan_shots
from microdrama.voice import Speaker

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
                image.save(tmp / f"shot_{shot.index:02d}.png", optimize=False)
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


def make_voice(ep: Episode, template: GenreTemplate, speaker: Speaker) -> Staged[list[dict]]:
    script = ep.script()
    before = speaker.fallbacks
    with ep.store.staged(ep.dir("voice")) as tmp:
        clips = _speak_all(
            template, script, [ln.text for _, ln in script.lines], SOURCE_LOCALE, tmp, speaker
        )
        write_json(tmp / "lines.json", clips)
        gates = seal("voice", speech_gates(clips, tmp), tmp)
    notes = {"espeak_fallbacks": speaker.fallbacks - before} if speaker.neural else {}
    return Staged(clips, ep.store.read_manifest(ep.dir("voice")), gates, notes)


def render_variant(
    ep: Episode,
    template: GenreTemplate,
    script: Script,
    clips: list[dict],
    clip_dir: Path,
    title: str,
    locale: str,
    out: Path,
    settings: VideoSettings,
) -> dict:
    """Timeline from the real audio, the dialogue mix, captions, sidecars and the MP4."""
    per_shot, k = [], 0
    for shot in script.shots:
        per_shot.append([clips[k + j]["seconds"] for j in range(len(shot.lines))])
        k += len(shot.lines)
    timings = plan_shots(per_shot, template.runtime_seconds)
    starts = [s for t in timings for s in t.line_starts]
    cues = []
    for i, (start, clip) in enumerate(zip(starts, clips, strict=True)):
        end = start + clip["seconds"] + CAPTION_LINGER
        if i + 1 < len(starts):
            end = min(end, starts[i + 1])
        cues.append(Cue(round(start, 3), round(end, 3), clip["text"]))
    total = round(sum(t.duration for t in timings), 3)
    write_bytes(out / "episode.srt", to_srt(cues).encode())
    write_bytes(out / "episode.vtt", to_vtt(cues).encode())
    placed = [(s, clip_dir / c["file"]) for s, c in zip(starts, clips, strict=True)]
    compositor.render(
        ep.keyframes(),
        [s.type for s in script.shots],
        timings,
        cues,
        title,
        CaptionPainter(font_for(locale), settings.width, settings.caption_px),
        placed,
        out / "episode.mp4",
        settings,
    )
    timeline = {
        "locale": locale,
        "seconds": total,
        "title": title,
        "shots": [{"start": t.start, "duration": t.duration} for t in timings],
        "cues": [c.__dict__ for c in cues],
    }
    write_json(out / "timeline.json", timeline)
    return timeline


def make_cut(ep: Episode, template: GenreTemplate, settings: VideoSettings) -> Staged[dict]:
    script = ep.script()
    clips = read_json(ep.fetch("voice") / "lines.json")
    with ep.store.staged(ep.dir("cut")) as tmp:
        timeline = render_variant(
            ep, template, script, clips, ep.dir("voice"), script.title, SOURCE_LOCALE, tmp, settings
        )
        # the poster (a frame from the first shot's dialogue, caption and title included) is
        # taken on the second core while the gates measure the cut
        with ThreadPoolExecutor(max_workers=1) as pool:
            poster = pool.submit(
                run_ffmpeg,
                [
                    "-ss",
                    f"{min(1.5, timeline['seconds'] / 2):.2f}",
                    "-i",
                    str(tmp / "episode.mp4"),
                    "-frames:v",
                    "1",
                    "-vf",
                    "scale=360:-2",
                    "-q:v",
                    "4",
                    str(tmp / "poster.jpg"),
                ],
            )
            found = media_gates(tmp / "episode.mp4", timeline, settings.width, settings.height)
            poster.result()
        gates = seal("cut", found, tmp)
    return Staged(timeline, ep.store.read_manifest(ep.dir("cut")), gates)


def make_localized(
    ep: Episode,
    template: GenreTemplate,
    locales: list[str],
    phrasebook_dir: Path,
    policy: ContentPolicy,
    settings: VideoSettings,
    speaker: Speaker,
    translator: Callable[[str], NeuralTranslator | None],
) -> Staged[dict]:
    """Translate, dub and render every non-source locale; returns per-locale summaries.

    `translator(locale)` may put a model in front of the locale's embedded translator.
    """
    script = ep.script()
    summary, by_locale, left_out, before = {}, {}, {}, speaker.fallbacks
    names = {c.name for c in template.characters} | {
        name for c in template.characters for name in c.names.values()
    }
    with ep.store.staged(ep.dir("localized")) as tmp:
        for locale in [loc for loc in locales if loc != SOURCE_LOCALE]:
            try:
                localizer = Localizer.for_locale(locale, phrasebook_dir, translator(locale))
                gates, summary[locale] = _localize(
                    ep, template, script, localizer, names, policy, settings, speaker, tmp / locale
                )
            except LocalizationError as exc:  # no way to translate: the locale sits this out
                gates = [gate("translated", [str(exc)], "")]
            if failed := [f"{g.name}: {g.reason}" for g in gates if not g.passed]:
                left_out[locale] = failed  # one locale never holds back the others
                summary.pop(locale, None)
                shutil.rmtree(tmp / locale, ignore_errors=True)
                continue
            by_locale[locale] = gates
        write_json(tmp / "summary.json", summary)
        blocking = [name for name in CHECKS["localized"] if name not in NON_BLOCKING]
        found = (
            merge(by_locale)
            if by_locale
            else [gate(name, [], "no target locale shipped") for name in blocking]
        )
        found.append(locales_gate(left_out, list(summary)))
        gates = seal("localized", found, tmp)
    notes = {"espeak_fallbacks": speaker.fallbacks - before} if speaker.neural else {}
    return Staged(summary, ep.store.read_manifest(ep.dir("localized")), gates, notes)


def _localize(
    ep: Episode,
    template: GenreTemplate,
    script: Script,
    localizer: Localizer,
    names: set[str],
    policy: ContentPolicy,
    settings: VideoSettings,
    speaker: Speaker,
    folder: Path,
) -> tuple[list[Gate], dict]:
    """One locale's variant in `folder`: its gates and its summary."""
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
    clips = _speak_all(
        template, script, [t.text for t in translated], locale, folder / "voice", speaker
    )
    for clip, t, source in zip(clips, translated, sources, strict=True):
        clip["method"], clip["source"] = t.method, source
    write_json(folder / "lines.json", clips)
    timeline = render_variant(
        ep, template, script, clips, folder / "voice", title, locale, folder, settings
    )
    methods = [t.method for t in translated]
    texts = {f"line {n}": c["text"] for n, c in enumerate(clips, 1)}
    gates = [
        translation_gate(clips, names),
        *speech_gates(clips, folder / "voice"),
        *media_gates(folder / "episode.mp4", timeline, settings.width, settings.height),
        policy_gate(policy, locale, {"title": title, **texts}),
    ]
    summary = {
        "seconds": timeline["seconds"],
        "title": title,
        "methods": {m: methods.count(m) for m in sorted(set(methods))},
    }
    return gates, summary


def variant_paths(ep: Episode, locales: list[str]) -> dict[str, dict[str, Path]]:
    """locale -> {"video": mp4, "subtitles": vtt} for the cut and every localized variant."""
    out = {}
    for locale in locales:
        folder = ep.dir("cut") if locale == SOURCE_LOCALE else ep.dir("localized") / locale
        out[locale] = {"video": folder / "episode.mp4", "subtitles": folder / "episode.vtt"}
    return out
