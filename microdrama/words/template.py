"""Genre templates: the documented, validated YAML schema (see templates/README.md).

A template fixes the structure of every episode of a genre: beats, shots, speakers, locations,
looks and voices. Writers (the story grammar or a language model) only fill in text, so a
weak model can never break an episode's structure.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from microdrama.keys import UnsafeKeyError, check_key

SOURCE_LOCALE = "en"  # the language templates are written in
BEATS = ("hook", "setup", "twist", "confrontation", "cliffhanger")
SHOT_TYPES = ("wide", "medium", "close-up", "two-shot", "over-shoulder", "insert")
PROP_DRAWINGS = (
    "ring",
    "document",
    "phone",
    "cup",
    "bottle",
    "necklace",
    "photo",
    "key",
    "blade",
    "box",
    # drawn since the storyboard's props became a registry (microdrama/picture/props.py)
    "ringbox",
    "card",
    "test",
    "drive",
    "hairpin",
    "stone",
    "bracelet",
    "glass",
    "vial",
    "veil",
    "knife",
    "pistol",
    "boat",
    "pen",
    "folder",
    "scroll",
    "fan",
    "suitcase",
    "bag",
    "candle",
    "map",
    "handkerchief",
    "locket",
    "statue",
    "jug",
    "envelope",
    "coins",
    "seal",
)
SETTINGS = ("interior", "office", "palace", "street", "forest", "rooftop")
FEATURES = (
    "windows",
    "skyline",
    "chandelier",
    "columns",
    "lanterns",
    "trees",
    "moon",
    "desk",
    "door",
    "curtains",
    "rain",
    "stars",
    "neon",
    "mountains",
    "throne",
    "bookshelf",
)
HAIR_STYLES = ("long", "short", "bun", "ponytail", "slick", "bob")
EMOTIONS = (
    "neutral",
    "angry",
    "sad",
    "shocked",
    "smug",
    "cold",
    "tender",
    "afraid",
    "determined",
    "contempt",
    "joyful",
)

MAX_FILE_BYTES = 256 * 1024
M = TypeVar("M", bound=BaseModel)


def _printable(value: str) -> str:
    """Text reaches captions, voices and prompts: no control characters, no blank strings."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("control characters (newline, tab, ...) are not allowed")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", description="a hex color, #rrggbb")]
Text = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_printable)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Look(_Strict):
    skin: Color
    hair: Color
    hair_style: Literal[HAIR_STYLES]  # type: ignore[valid-type]
    outfit: Color
    accent: Color


class Voice(_Strict):
    variant: Annotated[str, Field(pattern=r"^(m[1-7]|f[1-5])$")]
    pitch: Annotated[int, Field(ge=0, le=99)] = 50
    speed: Annotated[int, Field(ge=80, le=260)] = 165


class Character(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    name: Text
    names: dict[str, Text] = Field(default_factory=dict, description="locale -> localized name")
    archetype: Text
    look: Look
    voice: Voice


class Location(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    name: Text
    setting: Literal[SETTINGS]  # type: ignore[valid-type]
    top: Color
    bottom: Color
    floor: Color
    features: tuple[Literal[FEATURES], ...] = ()  # type: ignore[valid-type]


class Line(_Strict):
    speaker: str
    emotion: Literal[EMOTIONS] = "neutral"  # type: ignore[valid-type]
    say: Annotated[list[Text], Field(min_length=1, max_length=8)]


class Prop(_Strict):
    """An object a shot shows (an insert) or names ({object})."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    name: Text
    drawing: Literal[PROP_DRAWINGS]  # type: ignore[valid-type]
    color: Color


class Shot(_Strict):
    type: Literal[SHOT_TYPES]  # type: ignore[valid-type]
    cast: Annotated[list[str], Field(max_length=3)]
    action: Text
    lines: Annotated[list[Line], Field(max_length=4)] = Field(default_factory=list)
    prop: str | None = None

    @model_validator(mode="after")
    def _framed(self) -> Shot:
        need = {"two-shot": 2, "over-shoulder": 2, "insert": 0}.get(self.type, 1)
        if len(self.cast) < need:
            raise ValueError(f"cast: a {self.type} shot needs at least {need} character(s)")
        if self.type == "insert" and self.prop is None:
            raise ValueError("prop: an insert shot needs the prop it shows")
        return self


class Beat(_Strict):
    beat: Literal[BEATS]  # type: ignore[valid-type]
    location: str
    shots: Annotated[list[Shot], Field(min_length=1, max_length=8)]


class Style(_Strict):
    grade: Literal["warm", "cool", "neutral", "noir"] = "neutral"
    accent: Color
    title_color: Color = "#ffffff"


class GenreTemplate(_Strict):
    genre: str
    title: Text
    titles: Annotated[list[Text], Field(min_length=1)]
    loglines: Annotated[list[Text], Field(min_length=1)]
    runtime_seconds: Annotated[int, Field(ge=5, le=600)]
    shot_count: Annotated[int, Field(ge=1, le=60)]
    style: Style
    characters: Annotated[list[Character], Field(min_length=1, max_length=8)]
    locations: Annotated[list[Location], Field(min_length=1, max_length=12)]
    props: list[Prop] = Field(default_factory=list)
    beats: Annotated[list[Beat], Field(min_length=len(BEATS), max_length=20)]
    # a generated title's {object} and {place}: a prop id and a location id of this template
    title_slots: dict[Literal["object", "place"], str] = Field(default_factory=dict)

    @field_validator("genre")
    @classmethod
    def _safe_genre(cls, value: str) -> str:
        try:
            return check_key("genre", value)
        except UnsafeKeyError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _consistent(self) -> GenreTemplate:
        """Cross-field rules: references resolve, beats in order, slots known, counts agree."""
        cast = {c.id for c in self.characters}
        places = {loc.id for loc in self.locations}
        props = {p.id for p in self.props}
        slots = cast | {"topic", "location", "place"}
        names = [b.beat for b in self.beats]
        if names[0] != "hook" or names[-1] != "cliffhanger" or any(b not in names for b in BEATS):
            raise ValueError(
                f"beats must start with hook, end with cliffhanger and include all of "
                f"{', '.join(BEATS)} (got {', '.join(names)})"
            )
        for text in self.titles:
            _check_slots(text, slots | set(self.title_slots), "titles")
        for text in self.loglines:
            _check_slots(text, slots, "titles/loglines")
        if self.title_slots.get("object", next(iter(props), None)) not in props | {None}:
            raise ValueError(f"title_slots.object: unknown prop {self.title_slots['object']!r}")
        if self.title_slots.get("place", next(iter(places))) not in places:
            raise ValueError(f"title_slots.place: unknown location {self.title_slots['place']!r}")
        shots = 0
        for b, beat in enumerate(self.beats):
            if beat.location not in places:
                raise ValueError(f"beats.{b}.location: unknown location {beat.location!r}")
            for s, shot in enumerate(beat.shots):
                shots += 1
                where = f"beats.{b}.shots.{s}"
                if shot.prop is not None and shot.prop not in props:
                    raise ValueError(f"{where}.prop: unknown prop {shot.prop!r}")
                allowed = slots | ({"object"} if shot.prop else set())
                _check_slots(shot.action, allowed, f"{where}.action")
                for who in shot.cast:
                    if who not in cast:
                        raise ValueError(f"{where}.cast: unknown character {who!r}")
                for n, line in enumerate(shot.lines):
                    if line.speaker not in cast:
                        raise ValueError(
                            f"{where}.lines.{n}.speaker: unknown character {line.speaker!r}"
                        )
                    for text in line.say:
                        _check_slots(text, allowed, f"{where}.lines.{n}.say")
        if shots != self.shot_count:
            raise ValueError(f"shot_count: is {self.shot_count} but the beats hold {shots} shots")
        return self

    def character(self, character_id: str) -> Character:
        return next(c for c in self.characters if c.id == character_id)

    def location(self, location_id: str) -> Location:
        return next(loc for loc in self.locations if loc.id == location_id)

    def prop(self, prop_id: str) -> Prop:
        return next(p for p in self.props if p.id == prop_id)


def template_digest(template: GenreTemplate) -> str:
    """A content hash of a template made in code (a concept episode's), as files have."""
    canonical = json.dumps(template.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def placeholders(text: str) -> set[str]:
    """The {slot} names a text pattern uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_slots(text: str, allowed: set[str], where: str) -> None:
    try:
        fields = [f for f in string.Formatter().parse(text) if f[1] is not None]
    except ValueError as exc:
        raise ValueError(f"{where}: {text!r} is not a valid pattern ({exc})") from None
    for _, name, spec, conversion in fields:
        if not name or spec or conversion:
            raise ValueError(
                f"{where}: {text!r}: write slots as plain {{name}}, without format specs, "
                "conversions or empty braces (use {{ and }} for literal braces)"
            )
    used = {name for _, name, _, _ in fields}
    unknown = used - allowed
    if unknown:
        raise ValueError(
            f"{where}: unknown slot(s) {sorted(unknown)} in {text!r}; "
            f"use character ids, topic, location (or place), and object in a shot with a prop"
        )


class TemplateError(ValueError):
    """One or more problems in a template file, each naming the file and the field."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass(frozen=True)
class LoadedTemplate:
    path: Path
    template: GenreTemplate
    content_hash: str


def _field(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def read_model(
    path: Path, model: type[M], error: type[TemplateError], what: str = "file"
) -> tuple[M, str]:
    """One YAML file parsed into `model`, and its content hash; `error` names file and field."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise error(path, [f"(file): {size} bytes; a {what} is at most {MAX_FILE_BYTES}"])
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        raise error(path, [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(data, dict):
        raise error(path, [f"(top level): expected a mapping of {what} fields"])
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            message = re.sub(r"^Value error, ", "", err["msg"])
            # cross-field rules name their own field; pydantic's own errors carry a location
            problems.append(f"{_field(err['loc'])}: {message}" if err["loc"] else message)
        raise error(path, problems) from None
    return parsed, hashlib.sha256(raw).hexdigest()[:16]


def load_template(path: Path) -> LoadedTemplate:
    """Parse and validate one template file; raise TemplateError naming file and fields."""
    template, digest = read_model(path, GenreTemplate, TemplateError, "template")
    if template.genre != path.stem:
        raise TemplateError(
            path, [f"genre: {template.genre!r} must match the file name {path.stem!r}"]
        )
    return LoadedTemplate(path, template, digest)


def template_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise FileNotFoundError(
            f"templates directory {directory} does not exist (set MICRODRAMA_TEMPLATES)"
        )
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_templates(directory: Path) -> tuple[list[LoadedTemplate], list[TemplateError]]:
    """Every template in `directory`: the valid ones, and the errors of the others."""
    loaded, errors = [], []
    for path in template_files(directory):
        try:
            loaded.append(load_template(path))
        except TemplateError as exc:
            errors.append(exc)
    return loaded, errors


def genre_profile(template: GenreTemplate) -> str:
    """The text a topic is compared with: the genre's titles, premises and archetypes."""
    loglines = [re.sub(r"\{[^}]*\}", "someone", text) for text in template.loglines]
    return ". ".join(
        [template.title, *template.titles, *loglines, *(c.archetype for c in template.characters)]
    )
