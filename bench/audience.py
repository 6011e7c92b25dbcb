"""`microdrama bench --audience`: the closed loop on simulated markets, three policies apart.

For each of MARKETS seeded markets and each policy, RELEASES pilot decisions are made in days
of PER_DAY: each draws CANDIDATES concepts from the real concept library and picks one; the
market's engagement for the day's episodes comes in as daily figures (no video) and the
Thompson policy's model absorbs it before the next day. Every policy sees the same candidate
sets. Per policy: `top_decile_share` (share of the last 100 releases whose concept is in the
top 10 % of the candidate pool by the market's hidden value), `regret` (expected completions
lost against an oracle that knows the market and picks the best candidate) and
`regret_vs_uniform`. Prints a table and, as its last line, one JSON object.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from microdrama.audience import market as sim
from microdrama.audience.features import ConceptFeatures, Vocabulary
from microdrama.audience.model import AudienceModel, evidence
from microdrama.audience.policy import Choice, thompson, trend_heat, uniform
from microdrama.catalog.rows import concept_columns
from microdrama.concepts.library import load_library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey

REPO = Path(__file__).resolve().parent.parent
MARKETS = 20
RELEASES = 500
PER_DAY = 20
CANDIDATES = 30
POOL_PER_GENRE = 300
LOCALES = ("en", "es", "pt-BR", "zh-CN")
START = date(2026, 1, 1)
POLICIES = ("thompson", "trend_heat", "uniform")
# expected plays of one episode over its life, every locale and platform together
LIFETIME_PLAYS = (
    (sim.REACH * sim.PLAY_RATE * sum(sim.FADE**a for a in range(sim.LIFETIME_DAYS)))
    * len(LOCALES)
    * len(sim.PLATFORMS)
)


def concept_pool(seed: int = 0, per_genre: int = POOL_PER_GENRE) -> list[dict]:
    """Pilot concepts across every concept genre: each a catalog-like row (genre, series and
    the concept columns), drawn with the sampler the premise asset runs."""
    library = load_library(REPO / "templates" / "concepts")
    space = ConceptSpace(library)
    rng = random.Random(seed)
    pool = []
    for genre in sorted(library.genres):
        combos = space.combos(genre)
        for series in range(1, per_genre + 1):
            key = EpisodeKey(genre, series, 1)
            concept = space.pilot(key, draw_bible(library, key), combos[rng.randrange(len(combos))])
            pool.append({"genre": genre, **concept_columns(concept.to_dict())})
    return pool


def released_row(n: int, row: dict, day: date) -> dict:
    key = EpisodeKey(row["genre"], n + 1, 1)
    return {**row, "key": str(key), "series": key.series_id, "day": day.isoformat()}


def engagement_of(market: sim.Market, released: list[dict], day: date) -> pd.DataFrame:
    """The day's figures for every episode still earning."""
    rows = []
    for episode in released:
        age = (day - date.fromisoformat(episode["day"])).days
        if age >= sim.LIFETIME_DAYS:
            continue
        concept = ConceptFeatures.of_row(episode)
        for locale in LOCALES:
            for platform in sim.PLATFORMS:
                counts = market.day_counts(
                    episode["key"], concept, locale, platform, age, day.isoformat()
                )
                rows.append(
                    {"day": day.isoformat(), "episode": episode["key"], "locale": locale, **counts}
                )
    return pd.DataFrame(rows)


def run(seed: int, policy: str, pool: list[dict], vocabulary: Vocabulary) -> dict[str, float]:
    market = sim.Market(seed)
    features = [ConceptFeatures.of_row(row) for row in pool]
    value = np.array([market.value(f, LOCALES) for f in features])
    top = float(np.quantile(value, 0.9))
    heat = dict(
        zip(
            sorted({r["genre"] for r in pool}),
            np.random.default_rng(seed).dirichlet(np.ones(len({r["genre"] for r in pool}))),
            strict=True,
        )
    )
    offers = np.random.default_rng([seed, 1])  # the same candidate sets for every policy
    rng = np.random.default_rng([seed, 2])
    model = AudienceModel.prior(vocabulary, seed=seed)
    released: list[dict] = []
    chosen, best = [], []
    for n in range(RELEASES):
        day = START + timedelta(days=n // PER_DAY)
        offered = offers.choice(len(pool), CANDIDATES, replace=False)
        options = [features[i] for i in offered]
        if policy == "thompson":
            choice: Choice = thompson(model, options, rng)
        elif policy == "trend_heat":
            choice = trend_heat(options, heat, rng)
        else:
            choice = uniform(options, rng)
        pick = int(offered[choice.index])
        chosen.append(value[pick])
        best.append(value[offered].max())
        released.append(released_row(n, pool[pick], day))
        if policy == "thompson" and (n + 1) % PER_DAY == 0:
            model.update(evidence(engagement_of(market, released, day), pd.DataFrame(released)))
    chosen_arr, best_arr = np.array(chosen), np.array(best)
    return {
        "top_decile_share": float((chosen_arr[-100:] >= top).mean()),
        "regret": float(((best_arr - chosen_arr) * LIFETIME_PLAYS).sum()),
    }


def update_seconds(pool: list[dict], vocabulary: Vocabulary, rows: int = 10_000) -> float:
    """One model update at `rows` evidence rows (episode x locale x day)."""
    market = sim.Market(0)
    released = [released_row(n, pool[n % len(pool)], START) for n in range(rows // 4)]
    frame = engagement_of(market, released[: rows // (4 * 2)], START)
    frame = pd.concat([frame, frame.assign(day=(START + timedelta(days=1)).isoformat())])
    found = evidence(frame, pd.DataFrame(released)).head(rows)
    model = AudienceModel.prior(vocabulary)
    started = time.perf_counter()
    model.update(found)
    return time.perf_counter() - started


def main(markets: int = MARKETS) -> int:
    threadpool_limits(1)  # small matrices: BLAS threads only wait on each other
    pool = concept_pool()
    library = load_library(REPO / "templates" / "concepts")
    vocabulary = Vocabulary.of(library, LOCALES)
    results: dict[str, list[dict[str, float]]] = {p: [] for p in POLICIES}
    for seed in range(markets):
        for policy in POLICIES:
            results[policy].append(run(seed, policy, pool, vocabulary))
        print(
            f"market {seed}: "
            + ", ".join(f"{p} {results[p][-1]['top_decile_share']:.2f}" for p in POLICIES),
            flush=True,
        )
    summary = {}
    for policy in POLICIES:
        ratios = [
            r["regret"] / u["regret"]
            for r, u in zip(results[policy], results["uniform"], strict=True)
        ]
        summary[policy] = {
            "top_decile_share": round(
                statistics.fmean(r["top_decile_share"] for r in results[policy]), 3
            ),
            "regret": round(statistics.fmean(r["regret"] for r in results[policy])),
            "regret_vs_uniform": round(statistics.fmean(ratios), 3),
        }
    seconds = update_seconds(pool, vocabulary)
    print(f"\n{markets} markets x {RELEASES} releases, {CANDIDATES} candidates per decision")
    print(f"{'policy':<12} {'top decile share':>17} {'regret':>12} {'vs uniform':>11}")
    for policy, figures in summary.items():
        print(
            f"{policy:<12} {figures['top_decile_share']:>17.3f} {figures['regret']:>12,} "
            f"{figures['regret_vs_uniform']:>11.3f}"
        )
    print(f"model update at 10,000 engagement rows: {seconds:.3f} s")
    print(json.dumps({"policies": summary, "model_update_seconds": round(seconds, 4)}))
    return 0
