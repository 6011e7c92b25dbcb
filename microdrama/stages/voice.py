"""The voice stage: every locale's dub, before the cut, so one timeline fits them all."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from microdrama.av.timing import ShotTiming, shared_timeline
from microdrama.locales.espeak import Speaker
from microdrama.locales.translation import (
    LocalizationError,
    Localizer,
    NeuralTranslator,
    quality_summary,
)
from microdrama.media import read_json, write_json
from microdrama.provenance.label import label_text
from microdrama.quality.gates import (
    Gate,
    gate,
    locales_gate,
    merge,
    policy_gate,
    seal,
    speech_gates,
    translation_gate,
)
from microdrama.stages.episode import Episode, Staged
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.story import Script
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate


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
    spare = beat_alternatives(template, script)
    translated = localizer.translate(patterns, slots, sources, rewritten, spare)
    title = localizer.title(template, script.title, script.topic)
    clips = _speak_all(template, script, [t.text for t in translated], locale, folder, speaker)
    for clip, t, source in zip(clips, translated, sources, strict=True):
        clip["method"], clip["source"] = t.method, source
        if t.quality is not None:
            clip["quality"] = t.quality
    write_json(folder / "lines.json", clips)
    methods = [t.method for t in translated]
    texts = {f"line {n}": c["text"] for n, c in enumerate(clips, 1)}
    gates = [
        translation_gate(clips, names)
        if locale != SOURCE_LOCALE
        else gate("translated", [], f"{locale} is the source"),
        *speech_gates(clips, folder),
        # the AI label is published text in this locale too (its subtitles, its MP4)
        policy_gate(policy, locale, {"title": title, **texts, "AI label": label_text(locale)}),
    ]
    summary = {
        "title": title,
        "speech_seconds": round(sum(c["seconds"] for c in clips), 3),
        "methods": {m: methods.count(m) for m in sorted(set(methods))},
        "quality": quality_summary(translated),
    }
    return gates, summary


def beat_alternatives(template: GenreTemplate, script: Script) -> list[list[str]]:
    """Per script line, the patterns a phrasebook line could stand in with, best first: the
    other alternatives of its template line, then what its speaker says elsewhere in the beat.
    The script's lines follow the template's beats, shots and lines in order."""
    out = []
    for beat in template.beats:
        said: dict[str, list[str]] = {}
        for shot in beat.shots:
            for line in shot.lines:
                said.setdefault(line.speaker, []).extend(line.say)
        for shot in beat.shots:
            for line in shot.lines:
                rest = [p for p in said[line.speaker] if p not in line.say]
                out.append([*line.say, *rest])
    lines = list(script.lines)
    if len(out) != len(lines):  # a script not made from this template: nothing to offer
        return [[] for _ in lines]
    return [
        [p for p in alts if p != line.pattern] for alts, (_, line) in zip(out, lines, strict=True)
    ]


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
