"""The tables a pandas user reads: templates, trends and the catalog, stored as parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from microdrama.media import atomic_path
from microdrama.template import GenreTemplate, LoadedTemplate, TemplateError


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return path


def read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: materialize its asset first")
    return pd.read_parquet(path)


def templates_table(loaded: list[LoadedTemplate], errors: list[TemplateError]) -> pd.DataFrame:
    """One row per template file, valid or not, so a broken genre stays visible."""
    rows = [
        {
            "genre": t.template.genre,
            "file": str(t.path),
            "valid": True,
            "error": "",
            "content_hash": t.content_hash,
            "title": t.template.title,
            "shots": t.template.shot_count,
            "runtime_seconds": t.template.runtime_seconds,
            "template_json": t.template.model_dump_json(),
        }
        for t in loaded
    ]
    rows += [
        {
            "genre": e.path.stem,
            "file": str(e.path),
            "valid": False,
            "error": "; ".join(e.problems),
            "content_hash": "",
            "title": "",
            "shots": 0,
            "runtime_seconds": 0,
            "template_json": "",
        }
        for e in errors
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "genre",
            "file",
            "valid",
            "error",
            "content_hash",
            "title",
            "shots",
            "runtime_seconds",
            "template_json",
        ],
    )


def template_from_table(table: pd.DataFrame, genre: str) -> tuple[GenreTemplate, str]:
    """The validated template of `genre` and its content hash; a clear error otherwise."""
    rows = table[table["genre"] == genre]
    if rows.empty:
        known = ", ".join(sorted(table["genre"])) or "none"
        raise KeyError(f"genre {genre!r} has no template (known genres: {known})")
    row = rows.iloc[0]
    if not row["valid"]:
        raise ValueError(f"template {row['file']} is invalid: {row['error']}")
    return GenreTemplate.model_validate(json.loads(row["template_json"])), row["content_hash"]


def markdown_table(frame: pd.DataFrame, columns: list[str], limit: int = 20) -> str:
    """A small markdown preview of a table for Dagster metadata."""
    head = frame[columns].head(limit)
    cells = [[str(v).replace("|", "\\|") for v in row] for row in head.itertuples(index=False)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])
