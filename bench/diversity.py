"""`microdrama bench --diversity`: how different the dramas are, and whether series hold up.

Draws 1,000 pilots per concept genre and one 10-episode series per genre with the same code
the premise and script assets run (no video), and puts each figure beside the fixed-format
templates of the same genres (1,000 seeds each) as the reference. Prints a table and, as its
last line, one JSON object.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

import numpy as np

from microdrama.concepts.compile import episode_template
from microdrama.concepts.library import load_library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey
from microdrama.quality.gates import Continuity, script_gates
from microdrama.release import Release, default_seed
from microdrama.trends.feed import load_trend_feed
from microdrama.trends.topics import matcher
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.story import Script, pick_topic, write_premise, write_script
from microdrama.words.template import load_template

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
PILOTS = 1000
SERIES_LENGTH = 10
PAIRS = 5000  # sampled pairs per genre for the line overlap
MINTED = "2026-12-01T00:00:00+00:00"
# the figures measured for the concepts and for the fixed-format reference alike
COMPARED = (
    "distinct_concepts",
    "distinct_dialogue",
    "distinct_titles",
    "mean_line_overlap",
    "logline_cosine",
)


def line_set(script: Script) -> frozenset[str]:
    return frozenset(line.text for _, line in script.lines)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def mean_overlap(sets: list[frozenset[str]], rng: random.Random) -> float:
    pairs = [rng.sample(range(len(sets)), 2) for _ in range(PAIRS)]
    return statistics.fmean(jaccard(sets[i], sets[j]) for i, j in pairs)


def mean_cosine(texts: list[str]) -> float:
    vectors = matcher().embed(texts)
    sims = vectors @ vectors.T
    n = len(texts)
    return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


def main() -> int:
    library = load_library(TEMPLATES / "concepts")
    space = ConceptSpace(library)
    policy = ContentPolicy.load(TEMPLATES / "policy")
    feed = load_trend_feed(REPO / "data" / "trends.csv")
    genres = sorted(library.genres)
    started = time.perf_counter()
    for genre in genres:
        space.combos(genre)
    space_seconds = time.perf_counter() - started

    drawn, draw_seconds = {}, 0.0
    for genre in genres:
        began = time.perf_counter()
        drawn[genre] = []
        for series in range(1, PILOTS + 1):
            key = EpisodeKey(genre, series, 1)
            bible = draw_bible(library, key)
            drawn[genre].append((key, bible, space.series(key, bible, {})[-1]))
        draw_seconds += time.perf_counter() - began

    per_genre, gates_ok, gates_all, rng = {}, 0, 0, random.Random(5)
    for genre in genres:
        sets, loglines, identities, titles = [], [], set(), []
        for key, bible, concept in drawn[genre]:
            template = episode_template(library, concept, bible)
            seed = default_seed(key)
            topic = pick_topic(feed, random.Random(seed))
            script = write_script(
                template, write_premise(template, "-", None, _release(key, topic))
            )
            cast = bible.kept()
            gates = script_gates(script, template, policy, "en", Continuity(cast, []))
            gates_ok += all(g.passed for g in gates)
            gates_all += 1
            sets.append(line_set(script))
            loglines.append(script.logline)
            titles.append(script.title)
            identities.add((*concept.identity, *sorted(m.name for m in bible.cast.values())))
        per_genre[genre] = {
            "distinct_concepts": len(identities) / len(sets),
            "distinct_dialogue": len(set(sets)) / len(sets),
            "distinct_titles": len(set(titles)) / len(titles),
            "mean_line_overlap": mean_overlap(sets, rng),
            "logline_cosine": mean_cosine(loglines),
        }

    continuity_ok = continuity_all = 0
    for genre in genres:
        key = EpisodeKey(genre, PILOTS + 1, SERIES_LENGTH)
        bible = draw_bible(library, key)
        concepts = space.series(key, bible, {})
        cast = bible.kept()
        for n, concept in enumerate(concepts):
            episode = EpisodeKey(genre, key.series, n + 1)
            template = episode_template(library, concept, bible)
            script = write_script(
                template, write_premise(template, "-", None, _release(episode, "x"))
            )
            answer = []
            if concept.resolves:
                answer = library.tropes[concept.resolves].resolve.patterns()  # type: ignore[union-attr]
            gates = script_gates(script, template, policy, "en", Continuity(cast, answer))
            gates_ok += all(g.passed for g in gates)
            gates_all += 1
            continuity_ok += next(g for g in gates if g.name == "continuity").passed
            continuity_all += 1

    reference = fixed_format(feed, policy, rng)
    figures = {
        name: round(statistics.fmean(g[name] for g in per_genre.values()), 4) for name in COMPARED
    }
    figures |= {
        "gates_passed": round(gates_ok / gates_all, 4),
        "continuity_passed": round(continuity_ok / continuity_all, 4),
        "concepts_per_second": round(len(genres) * PILOTS / draw_seconds),
        "space_seconds": round(space_seconds, 2),
        "space_sizes": {g: len(space.combos(g)) for g in genres},
    }
    print(f"{'figure':<22}{'concepts':>12}{'fixed-format':>14}")
    for name in COMPARED:
        print(f"{name:<22}{figures[name]:>12}{reference[name]:>14}")
    for name in ("gates_passed", "continuity_passed", "concepts_per_second"):
        print(f"{name:<22}{figures[name]:>12}")
    for genre, values in per_genre.items():
        print(f"  {genre:<20}" + "  ".join(f"{k}={v:.3f}" for k, v in values.items()))
    print(json.dumps({**figures, "per_genre": per_genre, "fixed_format": reference}))
    return 0


def _release(key: EpisodeKey, topic: str) -> Release:
    return Release(str(key), default_seed(key), topic, MINTED, "bench")


def fixed_format(feed: object, policy: ContentPolicy, rng: random.Random) -> dict[str, float]:
    """The same figures for the fixed-format templates, 1,000 seeds per genre."""
    out: dict[str, list[float]] = {}
    for path in sorted(TEMPLATES.glob("*.yaml")):
        template = load_template(path).template
        sets, loglines, titles = [], [], []
        for series in range(1, PILOTS + 1):
            key = EpisodeKey(template.genre, series, 1)
            topic = pick_topic(feed, random.Random(default_seed(key)))  # type: ignore[arg-type]
            script = write_script(
                template, write_premise(template, "-", None, _release(key, topic))
            )
            sets.append(line_set(script))
            loglines.append(script.logline)
            titles.append(script.title)
        for name, value in (
            ("distinct_concepts", 1 / len(sets)),  # one structure and cast for every episode
            ("distinct_dialogue", len(set(sets)) / len(sets)),
            ("distinct_titles", len(set(titles)) / len(titles)),
            ("mean_line_overlap", mean_overlap(sets, rng)),
            ("logline_cosine", mean_cosine(loglines)),
        ):
            out.setdefault(name, []).append(value)
    return {name: round(statistics.fmean(values), 4) for name, values in out.items()}


if __name__ == "__main__":
    raise SystemExit(main())
