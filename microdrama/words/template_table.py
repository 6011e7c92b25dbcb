"""Rows of the tables a pandas user reads (templates, catalog) and their markdown previews;
the media store writes and reads them as parquet."""

from __future__ import annotations

import json

import pandas as pd

from microdrama.words.template import GenreTemplate, LoadedTemplate


def template_row(loaded: LoadedTemplate) -> pd.DataFrame:
    """The one-row table of a validated template; all genres together form the templates table."""
    t = loaded.template
    return pd.DataFrame(
        [
            {
                "genre": t.genre,
                "file": str(loaded.path),
                "content_hash": loaded.content_hash,
                "title": t.title,
                "shots": t.shot_count,
                "runtime_seconds": t.runtime_seconds,
                "template_json": t.model_dump_json(),
            }
        ]
    )


def template_from_table(table: pd.DataFrame, genre: str) -> tuple[GenreTemplate, str]:
    """The validated template of `genre` and its content hash; a clear error otherwise."""
    rows = table[table["genre"] == genre]
    if rows.empty:
        known = ", ".join(sorted(table["genre"])) or "none"
        raise KeyError(f"genre {genre!r} has no template (known genres: {known})")
    row = rows.iloc[0]
    return GenreTemplate.model_validate(json.loads(row["template_json"])), row["content_hash"]


def markdown_table(frame: pd.DataFrame, columns: list[str], limit: int = 20) -> str:
    """A small markdown preview of a table for Dagster metadata."""
    head = frame[columns].head(limit)
    cells = [[str(v).replace("|", "\\|") for v in row] for row in head.itertuples(index=False)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])
