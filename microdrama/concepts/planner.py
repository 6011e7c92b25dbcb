"""Planning one episode of a concept genre from the media store: its bible, concept, template.

The bible is the series' own file (`episodes/<genre>/<series>/bible.json`), written by the
first episode planned; earlier episodes' concepts come from their premises, so an episode
always follows what was actually made before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from microdrama.concepts.compile import episode_template
from microdrama.concepts.library import Library
from microdrama.concepts.sampler import Concept, ConceptSpace
from microdrama.concepts.series import Bible, draw_bible
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore
from microdrama.quality.gates import Continuity
from microdrama.words.template import GenreTemplate

BIBLE_FILE = "bible.json"


@dataclass(frozen=True)
class Planned:
    concept: Concept
    bible: Bible
    template: GenreTemplate


def series_bible(store: MediaStore, library: Library, key: EpisodeKey) -> Bible:
    """The series' bible as written, or drawn and written now (the pilot's first plan)."""
    path = store.series_dir(key.genre, key.series_id) / BIBLE_FILE
    found = store.read_file(path)
    if found is not None:
        return Bible.from_dict(json.loads(found))
    bible = draw_bible(library, key)
    store.write_file(path, json.dumps(bible.to_dict(), indent=2, ensure_ascii=False).encode())
    return bible


def made_concepts(store: MediaStore, key: EpisodeKey) -> dict[int, Concept]:
    """The concepts of the series' earlier episodes that have a premise."""
    known = {}
    for number in range(1, key.number):
        path = store.artifact_dir(EpisodeKey(key.genre, key.series, number), "premise")
        raw = store.read_file(path / "premise.json")
        if raw is not None and (concept := json.loads(raw).get("concept")):
            known[number] = Concept.from_dict(concept)
    return known


def plan_episode(
    store: MediaStore,
    library: Library,
    space: ConceptSpace,
    key: EpisodeKey,
    pilot: tuple[str, ...] | None = None,
) -> Planned:
    """`pilot`: the pilot's trope combination, where its release chose one."""
    bible = series_bible(store, library, key)
    concept = space.series(key, bible, made_concepts(store, key), pilot)[-1]
    return Planned(concept, bible, episode_template(library, concept, bible))


def continuity(
    store: MediaStore, library: Library, key: EpisodeKey, concept: dict
) -> Continuity | None:
    """What the episode's script must keep, read from the series' files; None for an episode
    of a fixed-format genre (its premise has no concept)."""
    if not concept:
        return None
    raw = store.read_file(store.series_dir(key.genre, key.series_id) / BIBLE_FILE)
    if raw is None:
        raise FileNotFoundError(f"series {key.series_id} has no {BIBLE_FILE}; render its pilot")
    bible = Bible.from_dict(json.loads(raw))
    cast = bible.kept()
    answered = library.tropes.get(concept["resolves"] or "")
    answer = answered.resolve.patterns() if answered and answered.resolve else []
    if concept["resolves"] and not answer:
        raise ValueError(
            f"the cliffhanger trope {concept['resolves']!r} that {key} answers is not in the "
            f"library any more; restore tropes/{concept['resolves']}.yaml"
        )
    return Continuity(cast, answer)
