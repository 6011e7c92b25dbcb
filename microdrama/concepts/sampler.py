"""Drawing concepts: a trope per beat, places and archetypes, valid by construction.

The space of a genre is every combination of its tropes (one per beat) whose requires and
excludes agree and whose shots fit the genre's bounds. Pilots walk a seeded permutation of
that space, so the genre's n-th series is a concept no earlier series had until the space is
exhausted. A series' later episodes draw from the same space with the series' rules: the
hook first answers the previous cliffhanger, no cliffhanger type comes back within
`NO_REPEAT` episodes, the stakes never fall (up to a cap) and, where the space allows, no
trope of the previous episode comes straight back.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import asdict, dataclass, field

from microdrama.concepts.library import Library, Trope
from microdrama.concepts.series import Bible
from microdrama.keys import EpisodeKey
from microdrama.words.template import BEATS

NO_REPEAT = 3  # a cliffhanger type is not used again within this many episodes


@dataclass(frozen=True)
class Concept:
    genre: str
    series: int
    episode: int
    tropes: dict[str, str]  # beat -> trope
    places: dict[str, str]  # beat -> backdrop
    archetypes: dict[str, str]  # role -> archetype, from the bible
    cliffhanger: str  # the type of this episode's cliffhanger
    stakes: int
    resolves: str | None = None  # the previous episode's cliffhanger trope, answered first
    plants: list[str] = field(default_factory=list)  # secrets this episode plants
    reveals: list[str] = field(default_factory=list)  # and reveals

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Concept:
        return cls(**data)

    @property
    def identity(self) -> tuple[str, ...]:
        """What makes two concepts the same: the genre and the trope of every beat."""
        return (self.genre, *(self.tropes[b] for b in BEATS))


def compatible(tropes: list[Trope]) -> bool:
    """Each trope's requires are met and its excludes absent among the others' tags."""
    for n, trope in enumerate(tropes):
        others = {tag for m, t in enumerate(tropes) if m != n for tag in t.tags}
        if not set(trope.requires) <= others or set(trope.excludes) & others:
            return False
    return True


class ConceptSpace:
    """The concepts a library allows, one genre at a time, computed once per library."""

    def __init__(self, library: Library):
        self.library = library
        self._combos: dict[str, list[tuple[str, ...]]] = {}
        self._caps: dict[str, int] = {}
        self._valid: dict[str, set[tuple[str, ...]]] = {}

    def combos(self, genre: str) -> list[tuple[str, ...]]:
        """Every valid trope combination of `genre`, in the genre's own seeded order."""
        if genre not in self._combos:
            lib, spec = self.library, self.library.genres[genre]
            per_beat = [lib.tropes_for(genre, beat) for beat in BEATS]
            if empty := [b for b, t in zip(BEATS, per_beat, strict=True) if not t]:
                raise ValueError(f"genre {genre!r} has no valid trope for {', '.join(empty)}")
            valid = []
            for combo in itertools.product(*per_beat):
                tropes = [lib.tropes[t] for t in combo]
                shots = sum(len(t.shots) for t in tropes)
                if spec.shots.min <= shots <= spec.shots.max and compatible(tropes):
                    valid.append(combo)
            if not valid:
                raise ValueError(f"genre {genre!r}: no trope combination fits its shot bounds")
            random.Random(f"space:{genre}").shuffle(valid)
            self._combos[genre] = valid
        return self._combos[genre]

    def stakes(self, combo: tuple[str, ...]) -> int:
        return sum(self.library.tropes[t].stakes for t in combo)

    def stakes_cap(self, genre: str) -> int:
        """Where escalation levels off: the third-highest stakes the genre's space has, so
        long series still have many concepts to draw from."""
        if genre not in self._caps:
            levels = sorted({self.stakes(c) for c in self.combos(genre)})
            self._caps[genre] = levels[max(0, len(levels) - 3)]
        return self._caps[genre]

    def cliffhanger(self, combo: tuple[str, ...]) -> str:
        return self.library.tropes[combo[-1]].cliffhanger or ""

    def series(
        self,
        key: EpisodeKey,
        bible: Bible,
        known: dict[int, Concept],
        pilot: tuple[str, ...] | None = None,
    ) -> list[Concept]:
        """The concepts of episodes 1..key.number; episodes in `known` (already made) are kept
        as they were made, so the next one follows what the audience actually saw. `pilot`
        is the first episode's trope combination where a decision chose it."""
        made: list[Concept] = []
        for number in range(1, key.number + 1):
            episode = EpisodeKey(key.genre, key.series, number)
            chosen = self.pilot(episode, bible, pilot) if number == 1 and pilot else None
            made.append(known.get(number) or chosen or self._draw(episode, bible, made))
        return made

    def pilot(self, key: EpisodeKey, bible: Bible, combo: tuple[str, ...]) -> Concept:
        """The pilot `key` would be with trope combination `combo` (one of `combos`)."""
        valid = self._valid.setdefault(key.genre, set(self.combos(key.genre)))
        if tuple(combo) not in valid:
            raise ValueError(f"{key}: {' + '.join(combo)} is not a valid {key.genre} concept")
        return self._concept(key, bible, tuple(combo), random.Random(f"concept:{key}"), None)

    def _draw(self, key: EpisodeKey, bible: Bible, before: list[Concept]) -> Concept:
        combos = self.combos(key.genre)
        rng = random.Random(f"concept:{key}")
        if not before:
            combo = combos[(key.series - 1) % len(combos)]
        else:
            recent = {c.cliffhanger for c in before[-NO_REPEAT:]}
            used = {c.identity[1:] for c in before}
            floor = min(before[-1].stakes, self.stakes_cap(key.genre))  # never falls back
            lately = set(before[-1].identity[1:])
            fresh = [c for c in combos if self.cliffhanger(c) not in recent and c not in used]
            rising = [c for c in fresh if self.stakes(c) >= floor]
            new = [c for c in rising if not lately & set(c)]  # no trope of the last episode
            pool = new or rising or fresh or combos
            combo = pool[rng.randrange(len(pool))]
        return self._concept(key, bible, combo, rng, before[-1] if before else None)

    def _concept(
        self,
        key: EpisodeKey,
        bible: Bible,
        combo: tuple[str, ...],
        rng: random.Random,
        previous: Concept | None,
    ) -> Concept:
        lib = self.library
        genre = lib.genres[key.genre]
        places = {}
        for beat, trope in zip(BEATS, combo, strict=True):
            kinds = set(lib.tropes[trope].settings)
            fitting = [b for b in genre.backdrops if b in lib.backdrops]
            places[beat] = rng.choice([b for b in fitting if lib.backdrops[b].kind in kinds])
        return Concept(
            genre=key.genre,
            series=key.series,
            episode=key.number,
            tropes=dict(zip(BEATS, combo, strict=True)),
            places=places,
            archetypes={role: m.archetype for role, m in bible.cast.items()},
            cliffhanger=self.cliffhanger(combo),
            stakes=self.stakes(combo),
            resolves=previous.tropes["cliffhanger"] if previous else None,
            plants=bible.planted_in(key.number),
            reveals=bible.revealed_in(key.number),
        )
