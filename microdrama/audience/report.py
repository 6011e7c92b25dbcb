"""The nightly audience report: the model's pictures as one static HTML page beside the gallery.

The pictures are the markdown tables the audience model's metadata shows in the Dagster UI;
here each becomes an HTML table, so a producer reads the same figures in a browser with no
server (the page is opened from the media store, like the gallery). No scripts, no assets.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

PAGE = "audience.html"  # in the gallery folder, next to its index.html

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #ddd; }
td:last-child { color: #c0392b; letter-spacing: -1px; white-space: nowrap; }
.meta { color: #666; }
"""


def table_html(markdown: str) -> str:
    """A markdown table (`| a | b |` rows, the second one the rule) as an HTML table; any
    other text as a paragraph."""
    lines = [line.strip() for line in markdown.strip().splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.startswith("|") for line in lines):
        return f"<p>{html.escape(markdown)}</p>"
    rows = [[html.escape(cell.strip()) for cell in line.strip("|").split("|")] for line in lines]
    head = "".join(f"<th>{cell}</th>" for cell in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows[2:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(sections: Mapping[str, str], facts: Mapping[str, object], generated_at: str) -> str:
    """The page: `facts` (a line of figures), then one table per section, in order."""
    line = " · ".join(f"{html.escape(k)}: {html.escape(str(v))}" for k, v in facts.items())
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Audience report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Audience report</h1>",
        f'<p class="meta">made {html.escape(generated_at)} · {line} · '
        '<a href="index.html">the gallery</a></p>',
    ]
    for title, markdown in sections.items():
        parts.append(f"<h2>{html.escape(title.replace('_', ' '))}</h2>")
        parts.append(table_html(markdown))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
