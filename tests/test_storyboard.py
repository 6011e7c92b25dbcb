"""The storyboard painter's registries: every name the template schema and the trope library can
produce has its painter (no silent nothing, no silent box), an unknown name raises, the props an
action names are held or shown, outfits follow the archetype, and the same inputs paint the same
pixels."""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from microdrama.concepts.compile import episode_template
from microdrama.concepts.library import load_library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey
from microdrama.picture.brush import MissingPainter
from microdrama.picture.characters import (
    EXPRESSIONS,
    HAIR,
    MOUTHS,
    Face,
    Held,
    character_layer,
    draw_character,
)
from microdrama.picture.features import FEATURES, SETTINGS
from microdrama.picture.figure import Figure
from microdrama.picture.outfits import OUTFITS, outfit_style
from microdrama.picture.props import PROPS, WORDS, drawing_for, paint_prop, props_named
from microdrama.picture.storyboard import (
    GRADES,
    SHOT_FRAMINGS,
    backdrop,
    held_props,
    paint_layers,
    paint_shot,
    shot_backdrop,
)
from microdrama.release import Release
from microdrama.words import template as schema
from microdrama.words.story import Line, Shot, write_premise, write_script
from microdrama.words.template import Location, Prop, Style, load_templates

REPO = Path(__file__).resolve().parents[1]
LIBRARY = load_library(REPO / "templates" / "concepts")
TEMPLATES = {t.template.genre: t.template for t in load_templates(REPO / "templates")[0]}
SIZE = (72, 128)


def _actions() -> list[str]:
    """Every action line the library and the genre templates hold."""
    shots = [s for trope in LIBRARY.tropes.values() for s in trope.all_shots()]
    shots += [s for secret in LIBRARY.secrets.values() for s in (secret.plant, secret.reveal)]
    out = [s.action for s in shots]
    out += [s.action for t in TEMPLATES.values() for b in t.beats for s in b.shots]
    return out


def test_every_name_the_schema_allows_has_a_painter() -> None:
    assert set(schema.FEATURES) <= set(FEATURES)
    assert set(schema.SETTINGS) <= set(SETTINGS)
    assert set(schema.PROP_DRAWINGS) <= set(PROPS)
    assert set(PROPS) <= set(schema.PROP_DRAWINGS)  # a drawing a template cannot name is dead
    assert set(schema.HAIR_STYLES) <= set(HAIR)
    assert set(schema.EMOTIONS) <= set(EXPRESSIONS)
    assert {EXPRESSIONS[e].mouth for e in schema.EMOTIONS} <= set(MOUTHS)
    assert set(schema.SHOT_TYPES) <= set(SHOT_FRAMINGS)
    grades = typing.get_args(Style.model_fields["grade"].annotation)
    assert set(grades) <= set(GRADES)
    assert set(WORDS.values()) <= set(PROPS)


def test_every_name_the_library_and_templates_use_has_a_painter() -> None:
    for b in LIBRARY.backdrops.values():
        assert b.setting in SETTINGS and set(b.features) <= set(FEATURES), b.id
    for o in LIBRARY.objects.values():
        assert drawing_for(Prop(id="x", name=o.name, drawing=o.drawing, color=o.color)) in PROPS
    archetypes = [a for g in LIBRARY.genres.values() for r in g.cast.values() for a in r.archetypes]
    archetypes += [c.archetype for t in TEMPLATES.values() for c in t.characters]
    for archetype in archetypes:
        assert outfit_style(archetype) in OUTFITS, archetype
    assert set(LIBRARY.cast.hair_styles["f"] + LIBRARY.cast.hair_styles["m"]) <= set(HAIR)


def test_the_props_the_library_actions_name_are_found() -> None:
    found = {drawing for action in _actions() for _, drawing in props_named(action)}
    # a sample of what the trope library's actions name in passing (not as {object})
    assert {"veil", "folder", "pen", "scroll", "fan", "suitcase", "glass", "card"} <= found
    assert {"candle", "map", "handkerchief", "locket", "statue", "jug", "coins"} <= found
    assert found <= set(PROPS)
    # the noun table does not mistake a door's glass or a stone floor for a prop
    assert props_named("{rival} watches through the glass in the door") == []
    assert props_named("guards push {lead} down onto the frozen stone floor") == []


@pytest.mark.parametrize("genre", sorted(LIBRARY.genres))
def test_every_shot_of_a_concept_episode_paints(genre: str) -> None:
    space = ConceptSpace(LIBRARY)
    key = EpisodeKey(genre, 1, 1)
    bible = draw_bible(LIBRARY, key)
    template = episode_template(LIBRARY, space.series(key, bible, {})[-1], bible)
    release = Release(str(key), 7, "the harbor fire", "2026-12-01T00:00:00+00:00", "test")
    script = write_script(template, write_premise(template, "digest", None, release))
    for shot in script.shots:
        assert paint_shot(template, shot, *SIZE).size == SIZE


def test_an_unknown_name_raises_naming_it() -> None:
    with pytest.raises(MissingPainter, match="'hot-tub'"):
        FEATURES["hot-tub"]
    with pytest.raises(MissingPainter, match="'zeppelin'"):
        paint_prop(None, "zeppelin", 0, 0, 1)  # type: ignore[arg-type]
    with pytest.raises(MissingPainter, match="'mohawk'"):
        HAIR["mohawk"]
    loc = TEMPLATES["revenge"].locations[0]
    bad = Location.model_construct(**{**loc.model_dump(), "id": "spa", "features": ("hot-tub",)})
    with pytest.raises(MissingPainter, match="feature painter for 'hot-tub'"):
        backdrop(bad, 64, 96)


def _shot(template: schema.GenreTemplate, kind: str, cast: list[str], action: str, **kw) -> Shot:
    return Shot(0, "hook", template.locations[0].id, kind, cast, action, [], 2.0, kw.get("prop"))


def test_a_held_prop_changes_the_character() -> None:
    t = TEMPLATES["ceo-romance"]
    gripping = _shot(t, "close-up", ["mia"], "Mia grips the pen")
    empty = _shot(t, "close-up", ["mia"], "Mia grips the edge of the desk")
    assert held_props(t, gripping, ["mia"]) == ({"mia": Held("pen")}, [])
    assert held_props(t, empty, ["mia"]) == ({}, [])
    a = np.asarray(paint_shot(t, gripping, 180, 320), np.int16)
    b = np.asarray(paint_shot(t, empty, 180, 320), np.int16)
    changed = np.abs(a - b).sum(axis=2) > 30
    assert changed.mean() > 0.01  # the arm, the hand and the pen
    assert not changed[:100].any()  # the head and the backdrop above it are untouched
    img = Image.new("RGB", (200, 400))
    draw_character(img, t.character("mia"), 100, 80, 60, "neutral", False)
    held = Image.new("RGB", (200, 400))
    draw_character(held, t.character("mia"), 100, 80, 60, "neutral", False, held=Held("phone"))
    assert np.asarray(img).tobytes() != np.asarray(held).tobytes()


def test_the_holder_is_who_the_action_names_first_in_frame() -> None:
    t = TEMPLATES["revenge"]
    names = {c.id: c.name for c in t.characters}
    over = _shot(
        t,
        "two-shot",
        ["villain", "heroine"],
        f"over {names['heroine']}'s shoulder, {names['villain']} opens a folder",
    )
    assert held_props(t, over, ["villain", "heroine"])[0] == {"villain": Held("folder")}
    veil = _shot(t, "close-up", ["heroine"], f"{names['heroine']} lifts her veil")
    assert held_props(t, veil, ["heroine"])[0] == {"heroine": Held("veil")}
    assert PROPS["veil"].worn
    loose = _shot(t, "close-up", ["heroine"], "a pistol lies on the table")
    assert held_props(t, loose, ["heroine"]) == ({}, [Held("pistol")])


def test_an_insert_of_a_library_prop_is_not_the_generic_box() -> None:
    t = TEMPLATES["revenge"]
    gift = "#b3246b"

    def insert(prop: Prop) -> np.ndarray:
        t2 = t.model_copy(update={"props": [prop]})
        return np.asarray(paint_shot(t2, _shot(t2, "insert", [], "it", prop=prop.id), *SIZE))

    box = insert(Prop(id="p", name="a box", drawing="box", color=gift))
    for o in LIBRARY.objects.values():
        if o.drawing == "box":
            continue
        drawn = insert(Prop(id="p", name=o.name, drawing=o.drawing, color=gift))
        assert np.abs(drawn.astype(int) - box).sum() > 0, o.id
    for drawing in PROPS:  # and no two drawings look alike
        if drawing != "box":
            drawn = insert(Prop(id="p", name="it", drawing=drawing, color=gift))
            assert np.abs(drawn.astype(int) - box).sum() > 0, drawing


def test_two_archetypes_wear_different_outfits() -> None:
    assert outfit_style("ice-cold CEO") == "suit"
    assert outfit_style("jealous ex-girlfriend") == "gown"
    assert outfit_style("ruthless Empress") == "robe"
    assert outfit_style("feared Alpha king") == "leather"
    assert outfit_style("loyal bodyguard") == "uniform"
    assert outfit_style("anyone", genre="palace-intrigue") == "robe"
    assert outfit_style("a stranger", role="elder") == "shawl"
    assert (
        len(
            {
                outfit_style(a)
                for g in LIBRARY.genres.values()
                for r in g.cast.values()
                for a in r.archetypes
            }
        )
        >= 7
    )
    who = TEMPLATES["ceo-romance"].character("ryan")
    suit, gown = Image.new("RGB", (200, 400)), Image.new("RGB", (200, 400))
    draw_character(suit, who, 100, 80, 60, "neutral", False, style="suit")
    draw_character(gown, who, 100, 80, 60, "neutral", False, style="gown")
    assert (
        np.abs(np.asarray(suit, int) - np.asarray(gown, int)).sum(axis=2).astype(bool).mean() > 0.02
    )


def test_the_same_inputs_paint_the_same_pixels() -> None:
    t = TEMPLATES["werewolf-romance"]
    shot = _shot(t, "wide", [c.id for c in t.characters], "they meet")
    first = paint_shot(t, shot, *SIZE).tobytes()
    backdrop.cache_clear()
    shot_backdrop.cache_clear()
    assert paint_shot(t, shot, *SIZE).tobytes() == first


def test_a_character_layer_is_transparent_and_talks_and_blinks() -> None:
    who = TEMPLATES["rebirth"].character("ning")
    fig = Figure(100, 100, 80, False)
    rest = np.asarray(character_layer(who, (200, 400), fig))
    assert rest[5, 5, 3] == 0 and rest[100, 100, 3] == 255  # a corner is clear, the face is not
    talking = np.asarray(character_layer(who, (200, 400), fig, Face(mouth_open=0.8)))
    blink = np.asarray(character_layer(who, (200, 400), fig, Face(eyes_open=False)))
    mouth_y, eye_y = int(fig.head_y + fig.head * 0.3), int(fig.head_y)
    moved = np.abs(talking.astype(int) - rest).sum(axis=2)
    assert moved[mouth_y - 10 : mouth_y + 15].sum() > 0 and moved[: mouth_y - 12].sum() == 0
    shut = np.abs(blink.astype(int) - rest).sum(axis=2)
    assert shut[eye_y - 8 : eye_y + 8].sum() > 0 and shut[mouth_y - 5 :].sum() == 0


def test_lines_that_name_the_object_give_it_to_their_speaker() -> None:
    t = TEMPLATES["revenge"]
    ring = Prop(id="ring", name="the ring", drawing="ring", color="#e8e8f0")
    t2 = t.model_copy(update={"props": [ring]})
    line = Line("heroine", "cold", "Keep the ring.", "Keep {object}.", 0.0, 1.0)
    shot = Shot(
        0, "hook", t.locations[0].id, "close-up", ["heroine"], "she waits", [line], 2.0, "ring"
    )
    assert held_props(t2, shot, ["heroine"])[0] == {"heroine": Held("ring", "#e8e8f0")}


def test_the_layers_of_a_shot_flatten_to_its_keyframe() -> None:
    t = TEMPLATES["revenge"]
    names = {c.id: c.name for c in t.characters}
    for kind, cast, action in (
        ("two-shot", ["heroine", "villain"], f"{names['heroine']} holds up a folder"),
        ("over-shoulder", ["heroine", "villain"], f"{names['heroine']} lifts her veil"),
        ("close-up", ["heroine"], "a pistol lies on the table"),
    ):
        shot = _shot(t, kind, cast, action)
        layers = paint_layers(t, shot, *SIZE)
        assert [cid for cid, _ in layers.characters] == cast[: 1 if kind != "two-shot" else 2][::-1]
        for _, layer in layers.characters:
            alpha = np.asarray(layer)[..., 3]
            assert alpha.min() == 0 and alpha.max() == 255  # clear around, solid within
        flat = np.asarray(paint_shot(t, shot, *SIZE), np.int16)
        assert np.abs(np.asarray(layers.flatten(), np.int16) - flat).mean() < 1.5, kind
    assert np.asarray(layers.props)[..., 3].max() == 255  # the loose pistol has its own layer
