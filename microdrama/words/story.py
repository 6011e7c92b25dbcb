"""The embedded writer: a seeded story grammar that fills a genre template's beats.

The template fixes beats, shots, speakers and locations; the grammar only chooses among the
template's line alternatives, its titles and a trend topic, and fills the {slots}. The same
seed always gives the same script, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from microdrama.av.timing import plan_shots
from microdrama.release import Release
from microdrama.trends.feed import latest_observations
from microdrama.words.template import GenreTemplate
from microdrama.words.text import fits_a_caption

WORDS_PER_SECOND = 2.6


def estimate_speech_seconds(text: str) -> float:
    return round(0.2 + len(text.split()) / WORDS_PER_SECOND, 2)


@dataclass(frozen=True)
class Premise:
    genre: str
    key: str
    minted_at: str
    seed: int
    title: str
    logline: str
    topic: str
    cast: dict[str, str]
    template_hash: str
    concept: dict = field(default_factory=dict)  # a concept genre's draw: tropes, cast, places


@dataclass(frozen=True)
class Line:
    speaker: str
    emotion: str
    text: str
    pattern: str  # the template line it was filled from (the phrasebook's key)
    start: float
    end: float
    rewritten: bool = False  # a writer model wrote `text`; the pattern is the line it stands for


@dataclass(frozen=True)
class Shot:
    index: int
    beat: str
    location: str
    type: str
    cast: list[str]
    action: str
    lines: list[Line]
    duration: float
    prop: str | None = None  # the template prop an insert shows or {object} names


@dataclass(frozen=True)
class Script:
    genre: str
    key: str
    seed: int
    title: str
    logline: str
    topic: str
    cast: dict[str, str]
    runtime_seconds: float
    shots: list[Shot] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Script:
        shots = [Shot(**{**s, "lines": [Line(**ln) for ln in s["lines"]]}) for s in data["shots"]]
        return cls(**{**data, "shots": shots})

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def lines(self) -> list[tuple[Shot, Line]]:
        return [(shot, line) for shot in self.shots for line in shot.lines]

    def to_markdown(self) -> str:
        out = [
            f"# {self.title}",
            f"*{self.logline}*",
            "",
            f"Topic: {self.topic} · seed {self.seed}",
        ]
        for shot in self.shots:
            out += [
                "",
                f"**Shot {shot.index + 1} · {shot.beat} · {shot.type} · {shot.location}**"
                f" ({shot.duration:.1f}s) — {shot.action}",
            ]
            out += [f"> **{self.cast[ln.speaker]}** ({ln.emotion}): {ln.text}" for ln in shot.lines]
        return "\n".join(out)


def pick_topic(trends: pd.DataFrame, rng: random.Random, top: int = 5) -> str:
    """A hot topic from the latest observations, weighted by score."""
    if trends.empty:
        raise ValueError("the trend feed has no usable rows; add rows to MICRODRAMA_TRENDS")
    hottest = latest_observations(trends).nlargest(top, "score")
    topics = hottest["topic"].tolist()
    weights = [max(float(s), 1e-6) for s in hottest["score"]]
    return rng.choices(topics, weights=weights, k=1)[0]


def _slots(
    template: GenreTemplate, topic: str, location: str | None = None, prop: str | None = None
) -> dict[str, str]:
    slots = {c.id: c.name for c in template.characters}
    slots["topic"] = topic
    if location is not None:
        slots["location"] = slots["place"] = template.location(location).name
    if prop is not None:
        slots["object"] = template.prop(prop).name
    return slots


def write_premise(
    template: GenreTemplate,
    template_hash: str,
    trends: pd.DataFrame | None,
    release: Release,
) -> Premise:
    """The release's premise: its topic, or a hot one drawn from `trends` when it has none."""
    rng = random.Random(release.seed)
    topic = release.topic
    if topic is None:
        if trends is None:
            raise ValueError("write_premise needs a topic or a trend feed")
        topic = pick_topic(trends, rng)
    slots = _slots(template, topic, template.beats[0].location)
    return Premise(
        genre=template.genre,
        key=release.key,
        minted_at=release.minted_at,
        seed=release.seed,
        title=title_of(template, rng.choice(template.titles), topic),
        logline=rng.choice(template.loglines).format(**slots),
        topic=topic,
        cast={c.id: c.name for c in template.characters},
        template_hash=template_hash,
    )


def title_of(template: GenreTemplate, pattern: str, topic: str) -> str:
    """A title pattern filled: a generated title's {object} and {place} are its own
    (`title_slots`), set in headline case as English titles are ("The Jade Pendant at the
    Imperial Garden"); a fixed pattern's {place} is the hook's."""
    own = template.title_slots
    place = own.get("place", template.beats[0].location)
    filled = pattern.format(**_slots(template, topic, place, own.get("object")))
    return headline(filled) if own else filled


SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"}


def headline(text: str) -> str:
    """English headline case: every word capitalized but the short function words inside
    (a subtitle after a colon starts with a capital)."""
    words, out = text.split(" "), []
    for n, word in enumerate(words):
        inside = n and not words[n - 1].endswith(":")  # a subtitle after a colon starts anew
        out.append(word if inside and word.lower() in SMALL_WORDS else word[:1].upper() + word[1:])
    return " ".join(out)


def fitting(say: list[str], slots: dict[str, str]) -> list[str]:
    """The alternatives whose filled text fits a caption (a long hot topic rules out the ones
    that name it); all of them where none does, and the captions gate has the last word."""
    fit = [pattern for pattern in say if fits_a_caption(pattern.format(**slots))]
    return fit or say


def write_script(template: GenreTemplate, premise: Premise) -> Script:
    """Fill every shot of the template; timing is an estimate that the cut redoes from audio."""
    rng = random.Random(premise.seed + 1)
    shots = []
    for beat in template.beats:
        for shot in beat.shots:
            slots = _slots(template, premise.topic, beat.location, shot.prop)
            lines = [
                Line(line.speaker, line.emotion, pattern.format(**slots), pattern, 0.0, 0.0)
                for line in shot.lines
                for pattern in [rng.choice(fitting(line.say, slots))]
            ]
            shots.append(
                Shot(
                    len(shots),
                    beat.beat,
                    beat.location,
                    shot.type,
                    list(shot.cast),
                    shot.action.format(**slots),
                    lines,
                    0.0,
                    shot.prop,
                )
            )
    script = Script(
        premise.genre,
        premise.key,
        premise.seed,
        premise.title,
        premise.logline,
        premise.topic,
        dict(premise.cast),
        0.0,
        shots,
    )
    return retime(script, template.runtime_seconds)


def retime(script: Script, runtime_seconds: float) -> Script:
    """Shot durations and line times estimated from the text, fitted to the runtime."""
    timings = plan_shots(
        [[estimate_speech_seconds(line.text) for line in shot.lines] for shot in script.shots],
        runtime_seconds,
    )
    shots = [
        replace(
            shot,
            duration=timing.duration,
            lines=[
                replace(line, start=start, end=round(start + estimate_speech_seconds(line.text), 3))
                for line, start in zip(shot.lines, timing.line_starts, strict=True)
            ],
        )
        for shot, timing in zip(script.shots, timings, strict=True)
    ]
    return replace(script, shots=shots, runtime_seconds=round(sum(s.duration for s in shots), 2))
