"""Composition: a series' theme, varied per episode, over its genre's harmony, with stingers.

The series seeds the theme, a short motif in scale degrees, so every episode of a series is
recognisably the same show; the episode seeds a variation (another transposition, rhythm and
order of phrases) that keeps the motif's intervals. Twists get a hit on their cut, the
cliffhanger a rising run into a hit. Everything is seeded, so a request always gives the same
notes, and the score ends exactly at the episode's end.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field

import pretty_midi

from microdrama.music.moods import NUMERALS, Mood

STINGER_KINDS = ("twist", "cliffhanger")
HIT_PROGRAM = pretty_midi.instrument_name_to_program("Orchestra Hit")
TIMPANI_PROGRAM = pretty_midi.instrument_name_to_program("Timpani")
RISER_PROGRAM = pretty_midi.instrument_name_to_program("Tremolo Strings")
HIT_SECONDS, RISER_SECONDS, RISER_STEPS = 1.2, 2.0, 8  # the riser climbs an octave in 8 notes
MOTIF_STEPS = (-3, -2, -1, 1, 2, 3)  # scale-degree steps between the theme's notes
RHYTHMS = (  # six notes over two bars of 4/4, in beats
    (1, 1, 1, 1, 2, 2),
    (1.5, 0.5, 1, 1, 2, 2),
    (2, 1, 1, 2, 1, 1),
    (1, 0.5, 0.5, 2, 2, 2),
    (0.5, 0.5, 1, 2, 1, 3),
)
TRANSPOSITIONS = (0, 2, 4, -3)  # in scale degrees: the motif's intervals stay those of the theme
PHRASE_BARS, REST_BARS = 2, 2
MIN_NOTE_SECONDS = 0.05  # shorter notes are dropped: one a tick long can hang FluidSynth on its end


@dataclass(frozen=True)
class ScoreRequest:
    genre: str
    series: str
    episode_number: int
    total_seconds: float
    cuts: list[float]  # shot start times, seconds
    stingers: list[tuple[float, str]]  # (time in seconds, "twist" or "cliffhanger")
    mood: Mood = field(repr=False)

    def __post_init__(self) -> None:
        if not self.total_seconds > 0:
            raise ValueError(f"total_seconds must be positive, got {self.total_seconds}")
        for at, kind in self.stingers:
            if kind not in STINGER_KINDS:
                raise ValueError(f"stinger kind {kind!r}: use one of {', '.join(STINGER_KINDS)}")
            if not 0 <= at < self.total_seconds:
                raise ValueError(
                    f"stinger at {at} s is outside the episode (0-{self.total_seconds} s)"
                )


@dataclass(frozen=True)
class Motif:
    degrees: tuple[int, ...]  # scale degrees, 0 = tonic
    beats: tuple[float, ...]  # each note's length


def _rng(*parts: object) -> random.Random:
    return random.Random(hashlib.sha256("|".join(map(str, parts)).encode()).digest())


def theme(genre: str, series: str) -> Motif:
    """The series' motif: six notes from the tonic or the fifth, by small steps. (Series are
    numbered per genre, so the genre is part of the series' name.)"""
    rng = _rng("theme", genre, series)
    degrees = [rng.choice((0, 4))]
    for _ in range(5):
        degrees.append(min(9, max(-3, degrees[-1] + rng.choice(MOTIF_STEPS))))
    return Motif(tuple(degrees), rng.choice(RHYTHMS))


def variation(genre: str, series: str, episode_number: int) -> list[Motif]:
    """The episode's phrases: the theme first (transposed, re-rhythmed), then its variants in an
    episode's order: a step higher, a step lower, and its first half twice."""
    motif, rng = theme(genre, series), _rng("variation", genre, series, episode_number)
    shift, beats = rng.choice(TRANSPOSITIONS), rng.choice(RHYTHMS)
    stated = [d + shift for d in motif.degrees]
    variants = [
        Motif(tuple(d + 1 for d in stated), beats),
        Motif(tuple(d - 1 for d in stated), motif.beats),
        Motif(tuple(stated[:3] * 2), beats),
    ]
    rng.shuffle(variants)
    return [Motif(tuple(stated), beats), *variants]


def pitch(mood: Mood, degree: int, octave: int) -> int:
    """The MIDI pitch of a scale degree (any integer; 7 is the tonic an octave up)."""
    return 12 * (octave + 1) + mood.tonic + mood.scale[degree % 7] + 12 * (degree // 7)


def chord(mood: Mood, numeral: str, octave: int) -> list[int]:
    """A triad on the numeral's degree: major upper case, minor lower case, `o` diminished."""
    root = pitch(mood, NUMERALS.index(numeral.rstrip("o").lower()), octave)
    third = 4 if numeral.rstrip("o").isupper() else 3
    return [root, root + third, root + (6 if numeral.endswith("o") else 7)]


def _add(
    part: pretty_midi.Instrument,
    pitches: list[int],
    start: float,
    end: float,
    velocity: int,
    total: float,
) -> None:
    """Notes cut at the episode's end; what is left of one under MIN_NOTE_SECONDS is dropped."""
    end = min(end, total)
    if end - start >= MIN_NOTE_SECONDS:
        part.notes += [pretty_midi.Note(velocity, p, start, end) for p in pitches]


def _bed(request: ScoreRequest) -> list[pretty_midi.Instrument]:
    mood, total = request.mood, request.total_seconds
    beat = 60.0 / mood.tempo
    bar = 4 * beat
    pad = pretty_midi.Instrument(mood.pad, name="pad")
    bass = pretty_midi.Instrument(mood.bass, name="bass")
    lead = pretty_midi.Instrument(mood.lead, name="lead")
    parts = [pad, bass, lead]
    starts = [n * bar for n in range(math.ceil((total - MIN_NOTE_SECONDS) / bar))]
    for n, start in enumerate(starts):
        numeral = mood.progression[n % len(mood.progression)]
        end = start + bar if n < len(starts) - 1 else total  # the last chord ends the score
        _add(pad, chord(mood, numeral, 4), start, end, 62, total)
        root = chord(mood, numeral, 2)[0]
        for half in (0, 2):
            _add(bass, [root], start + half * beat, start + (half + 2) * beat, 74, total)
    if mood.percussion is not None:
        drum = pretty_midi.Instrument(mood.percussion, name="percussion")
        for n in range(len(starts) * 2):
            _add(drum, [pitch(mood, 0, 2)], n * 2 * beat, (n * 2 + 1) * beat, 70, total)
        parts.append(drum)
    if mood.drone is not None:
        drone = pretty_midi.Instrument(mood.drone, name="drone")
        _add(drone, [pitch(mood, 0, 2), pitch(mood, 4, 2)], 0.0, total, 56, total)
        parts.append(drone)
    start = bar  # one bar of harmony, then a phrase every PHRASE_BARS + REST_BARS bars
    phrases = variation(request.genre, request.series, request.episode_number)
    for n in range(int(total // ((PHRASE_BARS + REST_BARS) * bar)) + 1):
        at = start + n * (PHRASE_BARS + REST_BARS) * bar
        phrase = phrases[n % len(phrases)]
        for degree, beats in zip(phrase.degrees, phrase.beats, strict=True):
            _add(lead, [pitch(mood, degree, 5)], at, at + beats * beat, 84, total)
            at += beats * beat
    return parts


def stingers(request: ScoreRequest) -> list[pretty_midi.Instrument]:
    """A hit on every twist and cliffhanger (an orchestra hit on a low tonic chord over the
    timpani), and a crescendo of tremolo strings climbing into the cliffhanger's."""
    mood, total = request.mood, request.total_seconds
    hit = pretty_midi.Instrument(HIT_PROGRAM, name="hit")
    timpani = pretty_midi.Instrument(TIMPANI_PROGRAM, name="timpani")
    riser = pretty_midi.Instrument(RISER_PROGRAM, name="riser")
    home = "I" if mood.key.endswith("major") else "i"
    for at, kind in request.stingers:
        _add(hit, chord(mood, home, 3), at, at + HIT_SECONDS, 127, total)
        _add(timpani, [pitch(mood, 0, 2)], at, at + HIT_SECONDS, 127, total)
        if kind == "cliffhanger":
            for n in range(RISER_STEPS):
                start = at - RISER_SECONDS + n * RISER_SECONDS / RISER_STEPS
                velocity = 40 + 75 * n // (RISER_STEPS - 1)
                _add(
                    riser,
                    [pitch(mood, n, 4)],
                    max(0.0, start),
                    start + RISER_SECONDS / RISER_STEPS,
                    velocity,
                    at,
                )
    return [part for part in (hit, timpani, riser) if part.notes]


def compose(request: ScoreRequest) -> pretty_midi.PrettyMIDI:
    """The episode's score: bed and stingers, exactly `request.total_seconds` long."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=request.mood.tempo)
    midi.instruments = _bed(request) + stingers(request)
    return midi
