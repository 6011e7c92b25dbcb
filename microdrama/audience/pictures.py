"""What a producer reads at a glance: posteriors with intervals, the allocation, the series.

Each picture is a small table with a text bar, so it reads the same in the Dagster UI's
metadata, in a terminal and in the README.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from microdrama.audience.features import ConceptFeatures
from microdrama.audience.model import AudienceModel
from microdrama.audience.renewal import MIN_PLAYS, series_figures
from microdrama.concepts.library import Library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.concepts.series import draw_bible
from microdrama.keys import EpisodeKey

BAR = 30  # characters of a full bar
TYPICAL = 12  # pilots that stand for a genre in its pictures


def bar(value: float, full: float) -> str:
    return "█" * max(0, round(BAR * value / full)) if full > 0 else ""


def typical(
    library: Library, space: ConceptSpace, genres: list[str], seed: int = 0
) -> dict[str, list[ConceptFeatures]]:
    """TYPICAL pilots per genre (one for a fixed-format genre): what a genre's picture averages."""
    rng = random.Random(seed)
    found = {}
    for genre in genres:
        if genre not in library.genres:
            found[genre] = [ConceptFeatures(genre, {}, {}, "")]
            continue
        combos = space.combos(genre)
        found[genre] = []
        for n, combo in enumerate(rng.sample(combos, min(TYPICAL, len(combos))), start=1):
            key = EpisodeKey(genre, n, 1)
            concept = space.pilot(key, draw_bible(library, key), combo).to_dict()
            found[genre].append(ConceptFeatures.of_concept(concept))
    return found


def everywhere(concepts: list[ConceptFeatures], locales: list[str]) -> list[list[str]]:
    return [c.names(locale) for c in concepts for locale in locales]


def genre_posteriors(
    model: AudienceModel, typicals: dict[str, list[ConceptFeatures]], locales: list[str]
) -> pd.DataFrame:
    """A typical pilot's completion rate per genre, over every locale."""
    groups = {genre: everywhere(found, locales) for genre, found in typicals.items()}
    found = model.interval(groups).rename(columns={"label": "genre"})
    return found.sort_values("mean", ascending=False)


def trope_posteriors(
    model: AudienceModel,
    library: Library,
    typicals: dict[str, list[ConceptFeatures]],
    locales: list[str],
) -> pd.DataFrame:
    """Each trope in typical pilots of its home genre (the first it was written for)."""
    groups = {}
    for name, trope in sorted(library.tropes.items()):
        variants = [
            ConceptFeatures(c.genre, {**c.tropes, trope.beat: name}, c.archetypes, c.setting)
            for c in typicals.get(trope.genres[0], [])
        ]
        if variants:
            groups[name] = everywhere(variants, locales)
    found = model.interval(groups).rename(columns={"label": "trope"})
    found["evidence"] = [model.seen.get(f"trope:{t}", 0) for t in found["trope"]]
    return found.sort_values("mean", ascending=False)


def continuation_by_genre(
    model: AudienceModel, typicals: dict[str, list[ConceptFeatures]]
) -> pd.DataFrame | None:
    """A typical pilot's continuation (viewers who start the next episode) per genre, by the
    posterior mean; None before the feed reported any."""
    labels = list(typicals)
    rows = [c.names() for genre in labels for c in typicals[genre]]
    found = model.continuation_mean(rows) if rows else None
    if found is None:
        return None
    sizes = [len(typicals[genre]) for genre in labels]
    means = [float(part.mean()) for part in np.split(found, np.cumsum(sizes)[:-1])]
    frame = pd.DataFrame({"genre": labels, "share": means})
    return frame.sort_values("share", ascending=False)


def share_table(frame: pd.DataFrame, label: str) -> str:
    lines = [f"| {label} | continuation | |", "|---|---|---|"]
    for row in frame.itertuples():
        lines.append(f"| {getattr(row, label)} | {row.share:.1%} | {bar(row.share, 1.0)} |")
    return "\n".join(lines)


def allocation(pilots: pd.DataFrame) -> pd.DataFrame:
    """Releases per genre among the pilot decisions given (the last 100)."""
    counts = pilots["genre"].value_counts()
    return pd.DataFrame({"genre": counts.index, "releases": counts.to_numpy()})


def ranked_series(episodes: pd.DataFrame, status: dict[str, str]) -> pd.DataFrame:
    """Series with MIN_PLAYS plays, best completion first, with their status."""
    figures = series_figures(episodes)
    figures = figures[figures["plays"] >= MIN_PLAYS].sort_values("rate", ascending=False)
    return figures.assign(status=[status.get(s, "testing") for s in figures["series"]])


def interval_table(frame: pd.DataFrame, label: str, limit: int = 12) -> str:
    full = float(frame["high"].max()) if not frame.empty else 1.0
    lines = [f"| {label} | completion | 90% interval | |", "|---|---|---|---|"]
    for row in frame.head(limit).itertuples():
        lines.append(
            f"| {getattr(row, label)} | {row.mean:.1%} | {row.low:.1%} to {row.high:.1%} | "
            f"{bar(row.mean, full)} |"
        )
    return "\n".join(lines)


def count_table(frame: pd.DataFrame) -> str:
    total = int(frame["releases"].sum()) if not frame.empty else 0
    lines = ["| genre | releases | share | |", "|---|---|---|---|"]
    if frame.empty:
        lines.append("| (no pilot decided by the release cadence yet) | 0 | | |")
    for row in frame.itertuples():
        share = row.releases / total
        lines.append(f"| {row.genre} | {row.releases} | {share:.0%} | {bar(share, 1.0)} |")
    return "\n".join(lines)


def series_table(frame: pd.DataFrame) -> str:
    lines = ["| series | status | completion | plays |", "|---|---|---|---|"]
    for row in frame.itertuples():
        lines.append(f"| {row.series} | {row.status} | {row.rate:.1%} | {int(row.plays):,} |")
    return "\n".join(lines)
