"""A concept and its series bible, written out as the episode's own template.

The rest of the pipeline (writer, storyboard, voice, gates, localization) reads templates; an
episode of a concept genre gets one of its own, with the series' cast, the places and props
its tropes need, and every shot in beat order. It is stored with the premise, so later stages
and re-renders never depend on the library as it is edited afterwards.
"""

from __future__ import annotations

import math
import random

from microdrama.av.timing import plan_shots
from microdrama.concepts.library import Library, ShotSpec
from microdrama.concepts.sampler import Concept
from microdrama.concepts.series import Bible
from microdrama.words.story import estimate_speech_seconds
from microdrama.words.template import (
    BEATS,
    Beat,
    Character,
    GenreTemplate,
    Line,
    Location,
    Look,
    Prop,
    Shot,
    Voice,
)


def template_id(library_id: str) -> str:
    """Library ids use '-'; template ids are Python-style names."""
    return library_id.replace("-", "_")


def fill(text: str, values: dict[str, str]) -> str:
    """Fill some slots and leave the others for the writer (str.format would need them all)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _shot(spec: ShotSpec, prop: str | None) -> Shot:
    return Shot(
        type=spec.type,
        cast=list(spec.cast),
        action=spec.action,
        lines=[Line(speaker=ln.speaker, emotion=ln.emotion, say=list(ln.say)) for ln in spec.lines],
        prop=template_id(prop) if prop and "{object}" in _texts(spec) else None,
    )


def _texts(spec: ShotSpec) -> str:
    return " ".join([spec.action, *spec.patterns()]) + (
        " {object}" if spec.type == "insert" else ""
    )


def runtime_for(beats: list[Beat], names: dict[str, str], target: int) -> int:
    """The genre's target runtime, or longer where the concept's longest lines need it: speech
    is never squeezed, and the script's bounds gate measures against what the concept says."""
    longest = [
        [estimate_speech_seconds(fill(max(ln.say, key=len), names)) for ln in shot.lines]
        for beat in beats
        for shot in beat.shots
    ]
    need = sum(t.duration for t in plan_shots(longest, 0))
    return max(target, math.ceil(need * SPEECH_MARGIN))


SPEECH_MARGIN = 1.1  # room for the trend topic, which is slotted in after the plan


def _clause(library: Library, trope_id: str, backdrop: str) -> str:
    """A beat's clause for the logline: its trope's logline, with its place and object named."""
    trope = library.tropes[trope_id]
    values = {"place": library.backdrops[backdrop].name}
    if trope.object:
        values["object"] = library.objects[trope.object].name
    return fill(trope.logline, values)


def episode_template(library: Library, concept: Concept, bible: Bible) -> GenreTemplate:
    lib = library
    genre = lib.genres[concept.genre]
    beats, props = [], set()
    for beat in BEATS:
        trope = lib.tropes[concept.tropes[beat]]
        shots = [_shot(s, trope.object) for s in trope.shots]
        if beat == "hook" and concept.resolves:
            answered = lib.tropes[concept.resolves]
            shots.insert(0, _shot(answered.resolve, answered.object))  # type: ignore[arg-type]
        if beat == "setup":
            shots += [_shot(lib.secrets[s].plant, lib.secrets[s].object) for s in concept.plants]
        if beat == "twist":
            shots += [_shot(lib.secrets[s].reveal, lib.secrets[s].object) for s in concept.reveals]
        props |= {s.prop for s in shots if s.prop}
        beats.append(Beat(beat=beat, location=template_id(concept.places[beat]), shots=shots))
    objects = {template_id(o.id): o for o in lib.objects.values()}
    titled = bible.title_slots  # the generated title's object and place, in the template too
    props |= {template_id(titled["object"])} if "object" in titled else set()
    places = sorted(
        set(concept.places.values()) | ({titled["place"]} if "place" in titled else set())
    )
    rng = random.Random(f"logline:{concept.genre}-{concept.series:04d}-{concept.episode:02d}")
    clauses = {b: _clause(lib, concept.tropes[b], concept.places[b]) for b in BEATS}
    logline = fill(
        rng.choice(genre.loglines), clauses | {"lead_archetype": bible.cast["lead"].archetype}
    )
    return GenreTemplate(
        genre=concept.genre,
        title=genre.title,
        titles=[bible.title],
        title_slots={slot: template_id(found) for slot, found in titled.items()},
        loglines=[logline],
        runtime_seconds=runtime_for(
            beats, {m.role: m.name for m in bible.cast.values()}, genre.runtime_seconds
        ),
        shot_count=sum(len(b.shots) for b in beats),
        style=genre.style,
        characters=[
            Character(
                id=m.role,
                name=m.name,
                names=m.names,
                archetype=m.archetype,
                look=Look(**m.look),
                voice=Voice(**m.voice),
            )
            for m in bible.cast.values()
        ],
        locations=[
            Location(
                id=template_id(b),
                name=lib.backdrops[b].name,
                setting=lib.backdrops[b].setting,
                top=lib.backdrops[b].top,
                bottom=lib.backdrops[b].bottom,
                floor=lib.backdrops[b].floor,
                features=tuple(lib.backdrops[b].features),
            )
            for b in places
        ],
        props=[
            Prop(id=p, name=objects[p].name, drawing=objects[p].drawing, color=objects[p].color)
            for p in sorted(props)
        ],
        beats=beats,
    )
