"""The gallery's data files, written from catalog rows.

`gallery/data/` holds a small index (genres with the days they have episodes on, the locales),
one page per genre and day, and one page per series. Each file is JSON wrapped in one call,
`gallery.load(name, {...})`, and loaded with a script tag: pages opened from disk may not fetch
files, but they may run scripts beside them. Recording an episode rewrites its day page, its
series page and the index, so the cost does not grow with the catalog.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pandas as pd

from microdrama.catalog.database import CatalogDB
from microdrama.media import MediaStore
from microdrama.release import utc_now
from microdrama.words.text import isolate

STATIC = files("microdrama.gallery") / "static"
SHELL = ("index.html", "app.js", "style.css")
# hls.js, installed by `make setup` from package.json (npm); without it the gallery plays the
# package where the browser plays HLS itself, and the burned-in MP4s elsewhere. The callers
# pass the configured one (MICRODRAMA_HLSJS); this is where `make setup` puts it.
PLAYER = Path(__file__).resolve().parents[2] / "node_modules" / "hls.js" / "dist" / "hls.min.js"


def gallery_dir(store: MediaStore) -> Path:
    return store.root / "gallery"


def _up(path: str) -> str:
    """A media-root-relative path as the gallery folder sees it."""
    return f"../{path}"


def entry(row: dict) -> dict:
    """A card's data: what the page shows, with media relative to the gallery folder."""
    checks = [(stage, g) for stage, found in json.loads(row["checks"]).items() for g in found or []]
    failed = [f"{stage}.{g['name']}: {g['reason']}" for stage, g in checks if not g["passed"]]
    variants, subtitles = json.loads(row["variants"]), json.loads(row["subtitles"])
    return {
        "key": row["key"],
        "genre": row["genre"],
        "series": row["series"],
        "number": int(row["episode_number"]),
        "minted_at": row["minted_at"],
        # an Arabic or Hebrew topic inside a title stays one run (bidi isolate): the page is
        # laid out left to right, and digits or words after the topic keep their place
        "title": isolate(row["title"], row["topic"]),
        "logline": isolate(row["logline"], row["topic"]),
        "topic": row["topic"],
        "seconds": round(float(row["seconds"]), 1),
        "status": row["status"],
        "poster": _up(row["poster"]),
        "locales": row["locales"].split(","),
        "package": _up(row["package"]) if row.get("package") else "",
        "videos": {loc: _up(path) for loc, path in variants.items()},
        "subtitles": {loc: _up(path) for loc, path in subtitles.items()},
        "checks": {"passed": len(checks) - len(failed), "total": len(checks), "failed": failed},
        "provenance": json.loads(row.get("provenance") or "{}"),
    }


def _script(name: str, payload: object) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"gallery.load({json.dumps(name)},{text});\n".encode()


def page_name(kind: str, *parts: str) -> str:
    return "/".join([kind, *parts])


def _write(store: MediaStore, name: str, payload: object) -> None:
    store.write_file(gallery_dir(store) / "data" / f"{name}.js", _script(name, payload))


def write_page(store: MediaStore, name: str, rows: pd.DataFrame) -> None:
    _write(store, name, {"entries": [entry(r) for r in rows.to_dict("records")]})


def write_shell(store: MediaStore, player: Path = PLAYER) -> None:
    """The page, its script, its style and the HLS player (hls.js at `player`, where it is),
    when they differ from the installed ones."""
    folder = gallery_dir(store)
    sources = [(STATIC / name, folder / name) for name in SHELL]
    if player.is_file():
        sources.append((player, folder / "hls.min.js"))
    for source, target in sources:
        data = source.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            store.write_file(target, data)


def write_audience(store: MediaStore, genre: str, payload: dict) -> None:
    """A genre's engagement and series status: {"episodes": {key: {rate, plays}}, "series":
    {id: {status, rate, plays}}}; cards of the genre show it beside their checks."""
    _write(store, page_name("audience", genre), payload)


def write_index(store: MediaStore, db: CatalogDB, locales: list[str], ui_url: str) -> None:
    days, counts = db.days(), db.genre_counts()
    _write(
        store,
        "index",
        {
            "genres": {g: {"episodes": counts[g], "days": days[g]} for g in sorted(days)},
            "episodes": sum(counts.values()),
            "locales": locales,
            "dagster": ui_url.rstrip("/"),
            "updated_at": utc_now(),
        },
    )


def update(
    store: MediaStore,
    db: CatalogDB,
    rows: list[dict],
    locales: list[str],
    ui_url: str,
    player: Path = PLAYER,
) -> list[str]:
    """Rewrite the pages that show `rows` (their day and series pages) and the index; return
    the pages written. Each page is rewritten from the catalog under a lock, so two runs
    finishing at once cannot lose each other's episodes."""
    if not rows:
        return []
    names = sorted(
        {page_name("genre", r["genre"], r["day"]) for r in rows}
        | {page_name("series", r["series"]) for r in rows}
    )
    for name in names:
        kind, *parts = name.split("/")
        with db.locked(f"gallery:{name}"):
            found = (
                db.rows(genre=parts[0], day=parts[1])
                if kind == "genre"
                else db.rows(series=parts[0])
            )
            write_page(store, name, found)
    write_shell(store, player)
    with db.locked("gallery:index"):
        write_index(store, db, locales, ui_url)
    return names


def rebuild(
    store: MediaStore, db: CatalogDB, locales: list[str], ui_url: str, player: Path = PLAYER
) -> int:
    """Every page anew from the catalog; return the number of pages."""
    store.remove_tree(gallery_dir(store) / "data")
    everything = db.rows()
    return len(update(store, db, everything.to_dict("records"), locales, ui_url, player))
