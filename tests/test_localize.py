"""Localization: phrasebook first, machine translation for the rest, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from microdrama.locales.translation import (
    Apertium,
    FastTranslate,
    LocalizationError,
    Localizer,
    Phrasebook,
)
from microdrama.words.template import load_templates

REPO = Path(__file__).resolve().parent.parent
PHRASEBOOKS = REPO / "templates" / "phrasebook"


@pytest.mark.parametrize("locale", ["es", "zh-CN"])
def test_phrasebook_covers_every_template_line_and_title(locale: str) -> None:
    phrasebook = Phrasebook.load(PHRASEBOOKS / f"{locale}.yaml")
    loaded, _ = load_templates(REPO / "templates")
    lines = {
        say
        for t in loaded
        for b in t.template.beats
        for s in b.shots
        for ln in s.lines
        for say in ln.say
    }
    titles = {title for t in loaded for title in t.template.titles}
    assert lines - set(phrasebook.phrases) == set()
    assert titles - set(phrasebook.terms) == set()


def test_phrasebook_translation_keeps_slots() -> None:
    localizer = Localizer.for_locale("zh-CN", PHRASEBOOKS)
    out = localizer.translate(
        ["You buried me, {villain}. You forgot to check if I was breathing."],
        [{"villain": "赵薇安"}],
        ["ignored"],
    )
    assert out[0].method == "phrasebook"
    assert "赵薇安" in out[0].text and "{" not in out[0].text


def test_a_model_written_line_goes_to_the_machine_else_stands_on_its_template_line() -> None:
    pattern = "You buried me, {villain}. You forgot to check if I was breathing."
    written = "You thought the sea would keep me, Vivian Zhao."
    spanish = Localizer.for_locale("es", PHRASEBOOKS).translate(
        [pattern], [{"villain": "Vivian Zhao"}], [written], [True]
    )
    assert spanish[0].method == "machine"  # apertium translates what the model wrote
    assert "Vivian Zhao" in spanish[0].text and spanish[0].text != written
    chinese = Localizer.for_locale("zh-CN", PHRASEBOOKS).translate(
        [pattern], [{"villain": "赵薇安"}], [written], [True]
    )
    assert chinese[0].method == "template"  # no machine for zh-CN: the line it stands for
    assert "赵薇安" in chinese[0].text


def test_slot_mismatch_names_file_and_phrase(tmp_path: Path) -> None:
    path = tmp_path / "fr.yaml"
    path.write_text('locale: fr\nphrases:\n  "Hello {hero}": "Bonjour {heros}"\n')
    with pytest.raises(LocalizationError, match=r"fr.yaml: phrases.'Hello \{hero\}'"):
        Phrasebook.load(path)


def test_unknown_locale_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LocalizationError, match="MICRODRAMA_LOCALES: no phrasebook"):
        Localizer.for_locale("fr", tmp_path)


def test_machine_translators_translate() -> None:
    source = "Where is my brother? You will pay for this."
    spanish = Apertium("eng-spa").translate([source, "I came back."])
    assert len(spanish) == 2 and "hermano" in spanish[0]
    portuguese = FastTranslate().translate([source])
    assert "irmão" in portuguese[0]


def test_lines_outside_the_phrasebook_go_to_the_machine() -> None:
    localizer = Localizer.for_locale("es", PHRASEBOOKS)
    out = localizer.translate(
        ["A line no phrasebook has, {hero}."], [{"hero": "Ana"}], ["A line no phrasebook has, Ana."]
    )
    assert out[0].method in {"machine", "phrasebook"}
    assert out[0].text != "A line no phrasebook has, Ana."


class Glossary:
    """A machine translator that knows a few sentences and echoes the rest, as real ones do."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known

    def translate(self, texts: list[str]) -> list[str]:
        return [self.known.get(t, t) for t in texts]


def test_a_model_line_the_machine_cannot_translate_takes_the_template_line() -> None:
    machine = Glossary({"You owe me, Lin.": "Você me deve, Lin."})
    localizer = Localizer("pt-BR", None, machine)
    out = localizer.translate(
        ["You owe me, {name}.", "You owe me, {name}."],
        [{"name": "Lin"}, {"name": "Lin"}],
        ["sathing dinow IreamMb?", "You owe me, Lin."],
        rewritten=[True, False],
    )
    assert [(t.text, t.method) for t in out] == [
        ("Você me deve, Lin.", "template"),
        ("Você me deve, Lin.", "machine"),
    ]


def test_a_topic_a_locale_cannot_translate_never_stays_inside_its_lines() -> None:
    topic = "'; DROP TABLE trends; --"
    localizer = Localizer.for_locale("zh-CN", PHRASEBOOKS)
    pattern = "Everyone is talking about {topic}. Tonight they will talk about our engagement."
    slots = localizer.slots(TEMPLATE, topic, TEMPLATE.locations[0].id)
    (out,) = localizer.translate([pattern], [slots], [pattern.format(topic=topic)])
    assert out.method == "phrasebook"
    assert "DROP" not in out.text and "那件全网热议的事" in out.text
    known = Localizer.for_locale("zh-CN", PHRASEBOOKS).topic("a viral livestream")
    assert known != "那件全网热议的事"  # a topic the phrasebook knows keeps its own term


TEMPLATE = load_templates(REPO / "templates")[0][0].template
