"""The concept library: genres, tropes, backdrops, objects, secrets and cast pools, as YAML.

Layout under the templates directory (see templates/README.md):
  <genre>.yaml               one genre: its cast roles, backdrops, style, runtime, titles
  tropes/<trope>.yaml        one beat fragment: shots, actions, lines with slots, what it needs
  library/backdrops.yaml     places a beat can happen in
  library/objects.yaml       objects a trope names (inserts, {object})
  library/secrets.yaml       secrets a series plants in one episode and reveals in a later one
  library/cast.yaml          name pools per locale, looks and voices drawn per series

Every file is validated on its own: a broken trope names its file and field and is left out,
and genres that do not use it keep working.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from microdrama.words.template import (
    BEATS,
    EMOTIONS,
    FEATURES,
    HAIR_STYLES,
    PROP_DRAWINGS,
    SETTINGS,
    SHOT_TYPES,
    Color,
    Style,
    TemplateError,
    Text,
    read_model,
)

ROLES = ("lead", "love", "rival", "ex", "ally", "elder")
CLIFFHANGERS = ("reveal", "threat", "arrival", "ultimatum", "collapse", "betrayal", "discovery")
GENDERS = ("f", "m")
SLOTS = (*ROLES, "topic", "place", "object")
Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,47}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineSpec(_Strict):
    speaker: Literal[ROLES]  # type: ignore[valid-type]
    emotion: Literal[EMOTIONS] = "neutral"  # type: ignore[valid-type]
    say: Annotated[list[Text], Field(min_length=1, max_length=8)]


class ShotSpec(_Strict):
    type: Literal[SHOT_TYPES]  # type: ignore[valid-type]
    cast: Annotated[list[Literal[ROLES]], Field(max_length=3)] = Field(  # type: ignore[valid-type]
        default_factory=list
    )
    action: Text
    lines: Annotated[list[LineSpec], Field(max_length=4)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _framed(self) -> ShotSpec:
        need = {"two-shot": 2, "over-shoulder": 2}.get(self.type, 0 if self.type == "insert" else 1)
        if len(self.cast) < need:
            raise ValueError(f"a {self.type} shot needs at least {need} cast role(s)")
        return self

    def roles(self) -> set[str]:
        return set(self.cast) | {line.speaker for line in self.lines}

    def patterns(self) -> list[str]:
        return [text for line in self.lines for text in line.say]


class Trope(_Strict):
    title: Text
    beat: Literal[BEATS]  # type: ignore[valid-type]
    genres: Annotated[list[Id], Field(min_length=1)]
    roles: Annotated[list[Literal[ROLES]], Field(min_length=1)]  # type: ignore[valid-type]
    genders: dict[Literal[ROLES], Literal[GENDERS]] = Field(default_factory=dict)  # type: ignore[valid-type]
    settings: Annotated[list[Id], Field(min_length=1)]
    object: Id | None = None
    tags: list[Id] = Field(default_factory=list)
    requires: list[Id] = Field(default_factory=list)
    excludes: list[Id] = Field(default_factory=list)
    stakes: Annotated[int, Field(ge=1, le=3)] = 1
    logline: Text
    cliffhanger: Literal[CLIFFHANGERS] | None = None  # type: ignore[valid-type]
    resolve: ShotSpec | None = None
    shots: Annotated[list[ShotSpec], Field(min_length=1, max_length=5)]

    @model_validator(mode="after")
    def _consistent(self) -> Trope:
        used = set().union(*(s.roles() for s in self.all_shots()))
        if missing := used - set(self.roles):
            raise ValueError(f"roles: shots use {sorted(missing)}, which roles does not list")
        if any(s.type == "insert" for s in self.shots) and self.object is None:
            raise ValueError("object: an insert shot needs the object it shows")
        for where, text in self.texts():
            check_slots(text, where, self.object is not None)
        if self.beat == "hook" and not any(s.lines for s in self.shots[:2]):
            raise ValueError("shots: a hook speaks within its first 2 shots")
        if self.beat == "cliffhanger":
            if self.cliffhanger is None or self.resolve is None:
                raise ValueError("a cliffhanger trope needs its cliffhanger type and its resolve")
            if not self.shots[-1].lines or not self.resolve.lines:
                raise ValueError("the last shot and the resolve of a cliffhanger must speak")
        elif self.cliffhanger is not None or self.resolve is not None:
            raise ValueError("cliffhanger and resolve belong to cliffhanger tropes only")
        return self

    def all_shots(self) -> list[ShotSpec]:
        return [*self.shots, *([self.resolve] if self.resolve else [])]

    def texts(self) -> list[tuple[str, str]]:
        """(field, pattern) of every text with slots: logline, actions and lines."""
        out = [("logline", self.logline)]
        shots = [(f"shots.{i}", s) for i, s in enumerate(self.shots)]
        if self.resolve:
            shots.append(("resolve", self.resolve))
        for where, shot in shots:
            out.append((f"{where}.action", shot.action))
            for n, line in enumerate(shot.lines):
                out += [(f"{where}.lines.{n}.say", text) for text in line.say]
        return out


class Role(_Strict):
    archetypes: Annotated[list[Text], Field(min_length=1)]
    gender: Literal[GENDERS]  # type: ignore[valid-type]


class Bounds(_Strict):
    min: Annotated[int, Field(ge=5, le=40)]
    max: Annotated[int, Field(ge=5, le=40)]


class Genre(_Strict):
    genre: Id
    title: Text
    runtime_seconds: Annotated[int, Field(ge=15, le=600)]
    shots: Bounds
    style: Style
    names: Id  # a name pool of library/cast.yaml
    cast: dict[Literal[ROLES], Role]  # type: ignore[valid-type]
    backdrops: Annotated[list[Id], Field(min_length=1)]
    titles: Annotated[list[Text], Field(min_length=1)]
    loglines: Annotated[list[Text], Field(min_length=1)]
    tropes: list[Id] = Field(default_factory=list)  # tropes written for other genres, borrowed

    @model_validator(mode="after")
    def _consistent(self) -> Genre:
        if "lead" not in self.cast:
            raise ValueError("cast: every genre has a lead")
        if self.shots.min > self.shots.max:
            raise ValueError("shots: min is more than max")
        for n, text in enumerate(self.titles):
            # {object} and {place}: any library object, a backdrop of the genre (generated)
            check_slots(text, f"titles.{n}", False, allowed=set(self.cast) | {"object", "place"})
        for n, text in enumerate(self.loglines):
            allowed = set(self.cast) | {"topic", "lead_archetype", *BEATS}
            check_slots(text, f"loglines.{n}", False, allowed=allowed)
        return self


class Backdrop(_Strict):
    id: Id
    kind: Id
    name: Text
    setting: Literal[SETTINGS]  # type: ignore[valid-type]
    top: Color
    bottom: Color
    floor: Color
    features: list[Literal[FEATURES]] = Field(default_factory=list)  # type: ignore[valid-type]


class Backdrops(_Strict):
    backdrops: Annotated[list[Backdrop], Field(min_length=1)]


class ObjectSpec(_Strict):
    id: Id
    name: Text  # what {object} reads, e.g. "the diamond ring"
    drawing: Literal[PROP_DRAWINGS]  # type: ignore[valid-type]
    color: Color


class Objects(_Strict):
    objects: Annotated[list[ObjectSpec], Field(min_length=1)]


class Secret(_Strict):
    id: Id
    title: Text
    genres: Annotated[list[Id], Field(min_length=1)]
    roles: Annotated[list[Literal[ROLES]], Field(min_length=1)]  # type: ignore[valid-type]
    object: Id | None = None  # what an insert of the plant or reveal shows
    plant: ShotSpec
    reveal: ShotSpec

    @model_validator(mode="after")
    def _consistent(self) -> Secret:
        used = self.plant.roles() | self.reveal.roles()
        if missing := used - set(self.roles):
            raise ValueError(f"roles: the shots use {sorted(missing)}, which roles does not list")
        if not self.plant.lines or not self.reveal.lines:
            raise ValueError("plant and reveal each need a spoken line")
        if self.object is None and "insert" in (self.plant.type, self.reveal.type):
            raise ValueError("object: an insert shot needs the object it shows")
        for where, shot in (("plant", self.plant), ("reveal", self.reveal)):
            check_slots(shot.action, f"{where}.action", False)
            for n, line in enumerate(shot.lines):
                for text in line.say:
                    check_slots(text, f"{where}.lines.{n}.say", False)
        return self


class Secrets(_Strict):
    secrets: Annotated[list[Secret], Field(min_length=1)]


class Name(_Strict):
    en: Text
    zh_CN: Text = Field(alias="zh-CN")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NamePool(_Strict):
    f: Annotated[list[Name], Field(min_length=8)]
    m: Annotated[list[Name], Field(min_length=8)]


class Outfit(_Strict):
    outfit: Color
    accent: Color


class CastPools(_Strict):
    names: dict[Id, NamePool]
    skin: Annotated[list[Color], Field(min_length=3)]
    hair: Annotated[list[Color], Field(min_length=3)]
    hair_styles: dict[Literal[GENDERS], list[Literal[HAIR_STYLES]]]  # type: ignore[valid-type]
    outfits: Annotated[list[Outfit], Field(min_length=6)]
    voices: dict[Literal[GENDERS], Annotated[list[str], Field(min_length=2)]]  # type: ignore[valid-type]

    @field_validator("voices")
    @classmethod
    def _espeak(cls, voices: dict[str, list[str]]) -> dict[str, list[str]]:
        for gender, variants in voices.items():
            for v in variants:
                if not re.fullmatch(r"m[1-7]" if gender == "m" else r"f[1-5]", v):
                    raise ValueError(f"{gender}: {v!r} is not an espeak-ng {gender} variant")
        return voices


def check_slots(text: str, where: str, has_object: bool, allowed: set[str] | None = None) -> None:
    """Slots are plain {name}s the writer knows; anything else is an error naming the field."""
    try:
        fields = [f for f in string.Formatter().parse(text) if f[1] is not None]
    except ValueError as exc:
        raise ValueError(f"{where}: {text!r} is not a valid pattern ({exc})") from None
    known = set(SLOTS) if allowed is None else allowed
    if not has_object and allowed is None:
        known = known - {"object"}
    for _, name, spec, conversion in fields:
        if not name or spec or conversion:
            raise ValueError(
                f"{where}: {text!r}: write slots as plain {{name}}, without format specs, "
                "conversions or empty braces"
            )
        if name not in known:
            raise ValueError(f"{where}: unknown slot {{{name}}} in {text!r}; use {sorted(known)}")


class LibraryError(TemplateError):
    """Problems in one library file, each naming the file and the field."""


def _read(path: Path, model: type[BaseModel]) -> tuple[BaseModel, str]:
    return read_model(path, model, LibraryError)


@dataclass
class Library:
    """Everything valid in a templates directory, plus the problems of what is not."""

    genres: dict[str, Genre] = field(default_factory=dict)
    tropes: dict[str, Trope] = field(default_factory=dict)
    backdrops: dict[str, Backdrop] = field(default_factory=dict)
    objects: dict[str, ObjectSpec] = field(default_factory=dict)
    secrets: dict[str, Secret] = field(default_factory=dict)
    cast: CastPools | None = None
    hashes: dict[str, str] = field(default_factory=dict)  # "genre:x" / "trope:y" -> content hash
    problems: list[LibraryError] = field(default_factory=list)

    def digest(self, genre: str) -> str:
        """A hash of everything a genre's concepts are made of: its file and its tropes."""
        parts = [self.hashes[f"genre:{genre}"]]
        parts += [h for name, h in sorted(self.hashes.items()) if name.startswith("library:")]
        parts += [
            self.hashes[f"trope:{t}"] for t in sorted(self.tropes) if genre in self.genres_of(t)
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def genres_of(self, trope: str) -> set[str]:
        """The genres that draw `trope`: those it names and those that borrow it."""
        named = set(self.tropes[trope].genres)
        return named | {g for g, spec in self.genres.items() if trope in spec.tropes}

    def tropes_for(self, genre: str, beat: str) -> list[str]:
        return sorted(
            t for t, spec in self.tropes.items() if spec.beat == beat and genre in self.genres_of(t)
        )


def load_library(directory: Path) -> Library:
    """Read and cross-check the whole library; a bad file is reported and left out."""
    lib = Library()
    shared = {
        "backdrops": (Backdrops, "backdrops"),
        "objects": (Objects, "objects"),
        "secrets": (Secrets, "secrets"),
    }
    for name, (model, attr) in shared.items():
        path = directory / "library" / f"{name}.yaml"
        try:
            parsed, lib.hashes[f"library:{name}"] = _read(path, model)
        except LibraryError as exc:
            lib.problems.append(exc)
            continue
        except FileNotFoundError:
            lib.problems.append(LibraryError(path, ["(file): missing"]))
            continue
        items = getattr(parsed, attr)
        setattr(lib, attr, {item.id: item for item in items})
    try:
        lib.cast, lib.hashes["library:cast"] = _read(  # type: ignore[assignment]
            directory / "library" / "cast.yaml", CastPools
        )
    except LibraryError as exc:
        lib.problems.append(exc)
    for path in sorted(directory.glob("*.yaml")):
        _add(lib, path, Genre, "genres", path.stem, "genre")
    for path in sorted((directory / "tropes").glob("*.yaml")):
        _add(lib, path, Trope, "tropes", path.stem, "trope")
    _cross_check(lib, directory)
    return lib


def _add(lib: Library, path: Path, model: type[BaseModel], attr: str, name: str, kind: str) -> None:
    try:
        parsed, digest = _read(path, model)
    except LibraryError as exc:
        lib.problems.append(exc)
        return
    if kind == "genre" and parsed.genre != name:  # type: ignore[attr-defined]
        lib.problems.append(LibraryError(path, [f"genre: must match the file name {name!r}"]))
        return
    getattr(lib, attr)[name] = parsed
    lib.hashes[f"{kind}:{name}"] = digest


def _cross_check(lib: Library, directory: Path) -> None:
    """References between files: a trope's genres, roles, settings and object must exist."""
    kinds = {b.kind for b in lib.backdrops.values()}
    for name, secret in list(lib.secrets.items()):
        if secret.object is not None and secret.object not in lib.objects:
            path = directory / "library" / "secrets.yaml"
            lib.problems.append(LibraryError(path, [f"{name}.object: unknown {secret.object!r}"]))
            del lib.secrets[name]
    for name, genre in list(lib.genres.items()):
        path = directory / f"{name}.yaml"
        problems = [
            f"backdrops: unknown backdrop {b!r}" for b in genre.backdrops if b not in lib.backdrops
        ]
        if missing := [t for t in genre.tropes if t not in lib.tropes]:  # reported, not fatal
            lib.problems.append(LibraryError(path, [f"tropes: no valid trope {missing}"]))
        if lib.cast is not None and genre.names not in lib.cast.names:
            problems.append(f"names: no name pool {genre.names!r} in library/cast.yaml")
        if problems:
            lib.problems.append(LibraryError(path, problems))
            del lib.genres[name]
    for name, trope in list(lib.tropes.items()):
        path = directory / "tropes" / f"{name}.yaml"
        problems = [
            f"settings: no backdrop of kind {k!r}" for k in trope.settings if k not in kinds
        ]
        if trope.object is not None and trope.object not in lib.objects:
            problems.append(f"object: unknown object {trope.object!r} (library/objects.yaml)")
        for g in sorted(lib.genres_of(name)):
            genre = lib.genres.get(g)
            if genre is None:
                continue  # a genre that is not here (yet) simply does not draw this trope
            if missing := set(trope.roles) - set(genre.cast):
                problems.append(f"roles: genre {g!r} has no {sorted(missing)}")
            for role, gender in trope.genders.items():
                if role in genre.cast and genre.cast[role].gender != gender:
                    problems.append(
                        f"genders.{role}: genre {g!r} casts its {role} as {genre.cast[role].gender}"
                    )
            places = {lib.backdrops[b].kind for b in genre.backdrops if b in lib.backdrops}
            if not places & set(trope.settings):
                problems.append(f"settings: genre {g!r} has no backdrop of kind {trope.settings}")
        if problems:
            lib.problems.append(LibraryError(path, problems))
            del lib.tropes[name]
