"""MkDocs hooks: the parts of the docs that are generated from the code, so they cannot drift.

- `<!-- settings-table -->` in configuration.md becomes the table of every setting, grouped,
  from `resources.config.SETTINGS` (each a `Setting`: name, default, description, group).
- `<!-- layers-table -->` in architecture.md becomes the floors of the code, top to bottom,
  from pyproject.toml's `[tool.microdrama] layers`.

A marker that is missing, or a source that cannot be read, fails the build with one line
naming it.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parent.parent
SETTINGS_MARKER = "<!-- settings-table -->"
LAYERS_MARKER = "<!-- layers-table -->"
MARKERS = {"configuration.md": SETTINGS_MARKER, "architecture.md": LAYERS_MARKER}


def on_page_markdown(markdown: str, page, config, files) -> str:
    marker = MARKERS.get(page.file.src_uri)
    if marker is None:
        return markdown
    if marker not in markdown:
        raise PluginError(f"docs/{page.file.src_uri}: the marker {marker} is missing")
    table = settings_table() if marker == SETTINGS_MARKER else layers_table()
    return markdown.replace(marker, table)


def cell(text: str) -> str:
    """`text` safe inside a markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def shown_default(default: str) -> str:
    """A default as a reader should see it: paths inside the repository relative to it, the
    home folder as `~`, and an empty default as *unset*."""
    if default == "":
        return "*unset*"
    home = str(Path.home())
    shown = default.replace(str(REPO) + "/", "").replace(str(REPO), ".")
    if shown.startswith(home):
        shown = "~" + shown[len(home) :]
    return f"`{cell(shown)}`"


def settings_table() -> str:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        from resources.config import SETTINGS
    except ImportError as error:
        raise PluginError(
            "docs/configuration.md: cannot import resources.config.SETTINGS, the table of "
            f"settings the configuration page is generated from ({error})"
        ) from error
    if not SETTINGS:
        raise PluginError("docs/configuration.md: resources.config.SETTINGS is empty")
    groups: dict[str, list] = {}
    for setting in SETTINGS:
        groups.setdefault(setting.group, []).append(setting)
    out = []
    for group, settings in groups.items():
        out += [
            f"### {group.capitalize()}",
            "",
            "| variable | default | meaning |",
            "|---|---|---|",
        ]
        out += [
            f"| `{s.name}` | {shown_default(s.default)} | {cell(s.description)} |" for s in settings
        ]
        out.append("")
    return "\n".join(out)


def layers_table() -> str:
    pyproject = REPO / "pyproject.toml"
    try:
        layers = tomllib.loads(pyproject.read_text())["tool"]["microdrama"]["layers"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise PluginError(
            f"docs/architecture.md: cannot read [tool.microdrama] layers from {pyproject} "
            f"({error!r})"
        ) from error
    out = ["| floor | packages and modules |", "|---|---|"]
    for number, floor in enumerate(layers, start=1):
        names = [name.strip() for name in floor.split("|")]
        out.append(f"| {number} | " + ", ".join(f"`{name}`" for name in names) + " |")
    return "\n".join(out) + "\n"
