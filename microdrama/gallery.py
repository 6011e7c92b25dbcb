"""The gallery: a static page and JSON feed of every catalogued episode, to watch, not to read.

It lives in the media root's `gallery/` folder and links media by relative paths, so it works
opened from disk or served by any static file server. Nothing is fetched from elsewhere: styles
and script are inline, and subtitles are embedded and handed to the player as blob URLs, which
browsers also allow for pages opened from disk.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from microdrama.media import MediaStore, write_bytes, write_json

STYLE = """
body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#111;color:#eee}
header{padding:16px 24px;background:#1c1c24}h1{margin:0;font-size:22px}
main{display:flex;flex-wrap:wrap;align-items:flex-start}
h2{padding:0 24px;margin:24px 0 8px}
.row{display:flex;flex-wrap:wrap;gap:16px;padding:0 24px}
.episode{width:300px;background:#1c1c24;border-radius:8px;padding:12px}
.episode h3{margin:0 0 4px;font-size:16px}.logline{color:#bbb;font-size:13px;margin:0 0 8px}
video{width:100%;aspect-ratio:9/16;background:#000;border-radius:6px}
.ok{color:#7c7}.bad{color:#e77}a{color:#8ab4f8}ul{padding-left:18px;margin:4px 0}
"""

SCRIPT = """
for (const card of document.querySelectorAll('.episode')) {
  const variants = JSON.parse(card.querySelector('.variants').textContent);
  const video = card.querySelector('video');
  const picker = card.querySelector('select');
  const show = (locale) => {
    const v = variants[locale];
    for (const old of video.querySelectorAll('track')) old.remove();
    video.src = v.video;
    const track = document.createElement('track');
    track.kind = 'subtitles'; track.srclang = locale; track.label = locale; track.default = true;
    track.src = URL.createObjectURL(new Blob([v.vtt], {type: 'text/vtt'}));
    video.appendChild(track);
    video.load();
  };
  picker.addEventListener('change', () => show(picker.value));
  show(picker.value);
}
"""


def _relative(target: str, folder: Path) -> str:
    return Path(os.path.relpath(target, folder)).as_posix()


def entries(catalog: pd.DataFrame, folder: Path, ui_url: str) -> list[dict]:
    """The feed: one entry per catalog row, media as paths relative to `folder`."""
    out = []
    for row in catalog.sort_values(["genre", "episode"]).itertuples(index=False):
        videos, subtitles = json.loads(row.variants), json.loads(row.subtitles)
        checks = json.loads(row.checks)
        partition = quote(f"{row.episode}|{row.genre}", safe="")
        out.append(
            {
                "genre": row.genre,
                "episode": row.episode,
                "title": row.title,
                "logline": row.logline,
                "topic": row.topic,
                "seconds": row.seconds,
                "poster": _relative(str(Path(row.cut_path).with_name("poster.jpg")), folder),
                "variants": {
                    locale: {
                        "video": _relative(videos[locale], folder),
                        "subtitles": _relative(
                            str(Path(subtitles[locale]).with_suffix(".vtt")), folder
                        ),
                        "vtt": Path(subtitles[locale]).with_suffix(".vtt").read_text("utf-8"),
                    }
                    for locale in row.locales.split(",")
                },
                "checks": checks,
                "dagster_url": f"{ui_url.rstrip('/')}/assets/cut?view=partitions"
                f"&partition={partition}",
            }
        )
    return out


def _card(entry: dict) -> str:
    e = {k: html.escape(str(v)) for k, v in entry.items() if isinstance(v, str | int | float)}
    gates = [(artifact, g) for artifact, found in entry["checks"].items() for g in found]
    failed = [f"{a}.{g['name']}: {g['reason']}" for a, g in gates if not g["passed"]]
    summary = f"{len(gates) - len(failed)}/{len(gates)} checks passed"
    items = "".join(
        f"<li class='{'ok' if g['passed'] else 'bad'}'>{html.escape(a)}.{html.escape(g['name'])}"
        f": {html.escape(g['reason'])}</li>"
        for a, g in gates
    )
    options = "".join(
        f"<option value='{html.escape(loc)}'>{html.escape(loc)}</option>"
        for loc in entry["variants"]
    )
    variants = json.dumps(entry["variants"], ensure_ascii=False).replace("</", "<\\/")
    return (
        f"<article class='episode' data-genre='{e['genre']}' data-episode='{e['episode']}'>"
        f"<h3>{e['title']}</h3><p class='logline'>{e['logline']}</p>"
        f"<video controls preload='metadata' playsinline poster='{e['poster']}'></video>"
        f"<label>Locale <select>{options}</select></label> {float(entry['seconds']):.1f}s"
        f"<details><summary class='{'bad' if failed else 'ok'}'>{summary}</summary>"
        f"<ul>{items}</ul></details>"
        f"<a href='{e['dagster_url']}'>{e['episode']}|{e['genre']} in Dagster</a>"
        f"<script type='application/json' class='variants'>{variants}</script></article>"
    )


def page(feed: list[dict]) -> str:
    genres: dict[str, list[dict]] = {}
    for entry in feed:
        genres.setdefault(entry["genre"], []).append(entry)
    sections = "".join(
        f"<section data-genre='{html.escape(genre)}'><h2>{html.escape(genre)}</h2>"
        f"<div class='row'>{''.join(_card(e) for e in found)}</div></section>"
        for genre, found in sorted(genres.items())
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>microdrama gallery</title><style>{STYLE}</style></head><body>"
        f"<header><h1>microdrama</h1>{len(feed)} episodes, {len(genres)} genres</header>"
        f"<main>{sections or '<p>No finished episodes yet.</p>'}</main>"
        f"<script>{SCRIPT}</script></body></html>"
    )


def build_gallery(store: MediaStore, catalog: pd.DataFrame, ui_url: str) -> tuple[Path, int]:
    """Write gallery/index.html and gallery/gallery.json; return the page and the entry count."""
    folder = store.root / "gallery"
    feed = entries(catalog, folder, ui_url)
    write_json(folder / "gallery.json", feed)
    write_bytes(folder / "index.html", page(feed).encode("utf-8"))
    return folder / "index.html", len(feed)
