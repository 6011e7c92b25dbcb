"""The series bible: who is in a series, how they look and sound, and the secrets it keeps.

A pilot draws its bible from the library's pools, seeded by the series, and writes it beside
the series' episodes; every later episode reads it back, so the cast stays the same in every
episode and locale even if the pools are edited meanwhile.
"""

from __future__ import annotations

import functools
import math
import random
import string
from dataclasses import asdict, dataclass, field

from microdrama.concepts.library import Library
from microdrama.keys import EpisodeKey

SECRETS_PER_SERIES = 3
REVEAL_AFTER = (4, 7)  # episodes between a secret's plant and its reveal: around the paywall


@dataclass(frozen=True)
class Member:
    role: str
    name: str
    names: dict[str, str]  # locale -> the name in that locale
    gender: str
    archetype: str
    look: dict[str, str]  # skin, hair, hair_style, outfit, accent
    voice: dict[str, object]  # espeak-ng variant, pitch, speed


@dataclass(frozen=True)
class Planted:
    secret: str
    plant: int  # the episode whose setup plants it
    reveal: int  # the later episode whose twist reveals it


@dataclass(frozen=True)
class Bible:
    genre: str
    series: int
    title: str  # one title for the whole series, with {role} (and {object}, {place}) slots
    cast: dict[str, Member]
    secrets: list[Planted] = field(default_factory=list)
    title_slots: dict[str, str] = field(default_factory=dict)  # object/place -> library id

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Bible:
        return cls(
            data["genre"],
            data["series"],
            data["title"],
            {role: Member(**m) for role, m in data["cast"].items()},
            [Planted(**s) for s in data["secrets"]],
            dict(data.get("title_slots", {})),  # a bible written before generated titles
        )

    def kept(self) -> dict[str, dict]:
        """role -> name, look and voice: what every episode of the series must keep."""
        return {
            m.role: {"name": m.name, "look": m.look, "voice": m.voice} for m in self.cast.values()
        }

    def planted_in(self, number: int) -> list[str]:
        return [s.secret for s in self.secrets if s.plant == number]

    def revealed_in(self, number: int) -> list[str]:
        return [s.secret for s in self.secrets if s.reveal == number]


def draw_bible(library: Library, key: EpisodeKey) -> Bible:
    """The series' cast and secrets, the same for the same library and series."""
    genre = library.genres[key.genre]
    pools = library.cast
    if pools is None:
        raise ValueError("library/cast.yaml is missing or invalid; a series needs its pools")
    rng = random.Random(f"bible:{key.series_id}")
    pool = pools.names[genre.names]
    names = {"f": rng.sample(pool.f, len(pool.f)), "m": rng.sample(pool.m, len(pool.m))}
    voices = {g: rng.sample(v, len(v)) for g, v in pools.voices.items()}
    outfits = rng.sample(pools.outfits, len(pools.outfits))
    cast = {}
    for n, (role, spec) in enumerate(genre.cast.items()):
        name = names[spec.gender].pop()
        variants = voices[spec.gender]
        cast[role] = Member(
            role=role,
            name=name.en,
            names={"zh-CN": name.zh_CN},
            gender=spec.gender,
            archetype=rng.choice(spec.archetypes),
            look={
                "skin": rng.choice(pools.skin),
                "hair": rng.choice(pools.hair),
                "hair_style": rng.choice(pools.hair_styles[spec.gender]),
                "outfit": outfits[n % len(outfits)].outfit,
                "accent": outfits[n % len(outfits)].accent,
            },
            voice={
                "variant": variants[n % len(variants)],
                "pitch": rng.randint(30, 70) if spec.gender == "f" else rng.randint(20, 55),
                "speed": rng.randint(150, 180),
            },
        )
    fitting = sorted(
        s.id
        for s in library.secrets.values()
        if key.genre in s.genres and set(s.roles) <= set(genre.cast)
    )
    chosen = rng.sample(fitting, min(SECRETS_PER_SERIES, len(fitting)))
    secrets = [
        Planted(secret, plant := n + 1, plant + rng.randint(*REVEAL_AFTER))
        for n, secret in enumerate(chosen)
    ]
    title, title_slots = series_title(library, key)
    return Bible(key.genre, key.series, title, cast, secrets, title_slots)


def title_space(library: Library, genre: str) -> list[tuple[str, dict[str, str]]]:
    """Every title a genre's series can have: each of its title patterns with every object
    (for `{object}`) and every backdrop of the genre (for `{place}`) it names; role slots are
    the bible's names. The genre's fixed titles count once each."""
    spec = library.genres[genre]
    places = tuple(b for b in spec.backdrops if b in library.backdrops)
    return _title_space(tuple(spec.titles), tuple(sorted(library.objects)), places)


@functools.lru_cache(maxsize=64)  # one per genre and library version: a bible costs no more
def _title_space(
    titles: tuple[str, ...], objects: tuple[str, ...], places: tuple[str, ...]
) -> list[tuple[str, dict[str, str]]]:
    out = []
    for pattern in titles:
        named = {f[1] for f in string.Formatter().parse(pattern) if f[1]}
        for obj in objects if "object" in named else [None]:
            for place in places if "place" in named else [None]:
                slots = {"object": obj, "place": place}
                out.append((pattern, {k: v for k, v in slots.items() if v is not None}))
    return out


def series_title(library: Library, key: EpisodeKey) -> tuple[str, dict[str, str]]:
    """The series' title, generated like the rest of its concept: the genre's title space
    walked in a seeded permutation by series number (an affine step coprime with its size),
    so series 1..N of a genre have N different titles until the space is used up, and the
    same series always has the same one."""
    space = title_space(library, key.genre)
    rng = random.Random(f"title:{key.genre}")
    step = rng.randrange(1, max(len(space), 2))
    while math.gcd(step, len(space)) != 1:
        step += 1
    title, slots = space[(rng.randrange(len(space)) + step * (key.series - 1)) % len(space)]
    return title, dict(slots)  # a copy: the cached space stays as it is
