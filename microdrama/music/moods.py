"""Genre moods: the key, tempo, harmony and General MIDI band each genre's score is played with.

Moods are data (`music/moods.yaml` in the templates directory), validated like
the templates: every problem names the file and the field, and a broken genre entry is left
out without stopping the others; a genre without a mood of its own plays the `default` one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pretty_midi
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from microdrama.keys import UnsafeKeyError, check_key
from microdrama.words.template import TemplateError, Text, read_model

MOODS_FILE = Path("music") / "moods.yaml"  # in the templates directory
DEFAULT = "default"
TONICS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
NUMERALS = ("i", "ii", "iii", "iv", "v", "vi", "vii")


def _program(value: Any) -> int:
    """A General MIDI program, by name ("Koto", case and spacing free) or number (0-127)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 127:
            raise ValueError(f"GM program {value} is out of range: use 0-127")
        return value
    if isinstance(value, str):
        try:
            return pretty_midi.instrument_name_to_program(value)
        except ValueError:
            pass
    raise ValueError(
        f"{value!r} is not a General MIDI instrument: use a GM name such as "
        "'String Ensemble 1' or 'Koto', or a program number 0-127"
    )


Instrument = Annotated[int, BeforeValidator(_program)]
Key = Annotated[str, Field(pattern=r"^[A-G][#b]? (major|minor)$", description="e.g. 'A minor'")]
Numeral = Annotated[
    str, Field(pattern=r"^(i|ii|iii|iv|v|vi|vii|I|II|III|IV|V|VI|VII)o?$", description="e.g. VI")
]


class Mood(BaseModel):
    """How a genre sounds. Numerals: upper case a major chord, lower case minor, `o` diminished."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    style: Text  # words for a text-to-music model's prompt: "tense orchestral strings"
    key: Key
    tempo: int = Field(ge=40, le=220)  # beats per minute, four beats a bar, a chord a bar
    progression: tuple[Numeral, ...] = Field(min_length=1, max_length=16)
    pad: Instrument  # the sustained chords
    bass: Instrument
    lead: Instrument  # plays the series' theme
    percussion: Instrument | None = None  # a pitched hit on beats 1 and 3: Timpani, Taiko Drum
    drone: Instrument | None = None  # the tonic and its fifth held under the whole episode

    @property
    def tonic(self) -> int:
        """The key's pitch class, 0 (C) to 11 (B)."""
        name, accidental = self.key[0], self.key[1:2].strip()
        return (TONICS[name] + {"#": 1, "b": -1}.get(accidental, 0)) % 12

    @property
    def scale(self) -> tuple[int, ...]:
        """Semitones of the key's seven degrees above the tonic."""
        return SCALES[self.key.split()[1]]


@dataclass(frozen=True)
class Moods:
    path: Path
    moods: dict[str, Mood]  # genre -> mood, the valid entries only
    problems: list[str]  # "<file>: moods.<genre>.<field>: <what is wrong>", one per problem

    def for_genre(self, genre: str) -> Mood:
        """The genre's own mood, else the default one."""
        mood = self.moods.get(genre, self.moods.get(DEFAULT))
        if mood is None:
            raise MoodError(
                self.path,
                [
                    f"moods.{DEFAULT}: missing or invalid, and {genre!r} has no mood of its own",
                    *self.problems,
                ],
            )
        return mood


class MoodError(TemplateError):
    """Problems in a moods file, each naming the file and the field."""


class _MoodsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    moods: dict[str, Any] = Field(min_length=1)  # entries are validated one by one


def _validated(genre: str, entry: Any) -> tuple[Mood | None, list[str]]:
    try:
        check_key("genre", genre)
        return Mood.model_validate(entry), []
    except UnsafeKeyError as exc:
        return None, [f"moods.{genre}: {exc}"]
    except ValidationError as exc:
        return None, [
            ".".join(["moods", genre, *map(str, err["loc"])])
            + ": "
            + re.sub(r"^Value error, ", "", err["msg"])
            for err in exc.errors()
        ]


def load_moods(path: Path) -> Moods:
    """Every valid mood of the file and the problems of the others.

    A file that cannot be read as a whole (too big, YAML syntax, no `moods` mapping) raises
    MoodError; a bad genre entry, or a missing default, only lands in `problems`.
    """
    parsed, _ = read_model(path, _MoodsFile, MoodError, "moods file")
    moods, problems = {}, []
    if DEFAULT not in parsed.moods:
        problems.append(f"{path}: moods.{DEFAULT}: missing; genres without a mood use it")
    for genre, entry in parsed.moods.items():
        mood, found = _validated(genre, entry)
        problems += [f"{path}: {p}" for p in found]
        if mood is not None:
            moods[genre] = mood
    return Moods(path, moods, problems)
