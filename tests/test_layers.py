"""The floors of the code only go down: no import runs up a floor or across one, and no loop.

The floors are pyproject.toml's `[tool.microdrama] layers`, top to bottom; docs/architecture.md
shows the same list. Imports inside functions count too: a lazy import still ties the floors.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = (
    "microdrama",
    "assets",
    "resources",
    "sensors",
    "instance",
    "operations",
    "commands",
    "bench",
)


def floors() -> list[list[str]]:
    table = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["microdrama"]
    return [[name.strip() for name in floor.split("|")] for floor in table["layers"]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {"definitions": REPO / "definitions.py"}
    for folder in CODE:
        found |= {module_name(p): p for p in (REPO / folder).rglob("*.py")}
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports (`from a import b` counts `a.b` when it is a module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        out |= {name for name in names if name in known}
    return out


def unit(module: str, units: list[str]) -> str | None:
    """The floor entry a module belongs to: the longest entry that is it or contains it."""
    owners = [u for u in units if module == u or module.startswith(u + ".")]
    return max(owners, key=len) if owners else None


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, set(found)) for name, path in found.items()}


def test_every_module_sits_on_a_floor() -> None:
    units = [u for floor in floors() for u in floor]
    homeless = [m for m in graph() if m != "microdrama" and unit(m, units) is None]
    assert homeless == [], f"add these to pyproject.toml's layers: {homeless}"


def test_imports_only_go_down() -> None:
    level = {u: n for n, floor in enumerate(floors()) for u in floor}
    wrong = []
    for module, targets in graph().items():
        here = unit(module, list(level))
        for target in targets:
            there = unit(target, list(level))
            if here is None or there is None or here == there:
                continue
            if level[there] <= level[here]:
                way = "across" if level[there] == level[here] else "up"
                wrong.append(f"{module} imports {target} ({here} -> {there}: {way})")
    assert wrong == [], "\n".join(sorted(wrong))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_loops() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize(
    ("edges", "looped"),
    [({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]), ({"a": {"b"}, "b": set()}, [])],
)
def test_the_loop_finder_finds_loops(edges: dict[str, set[str]], looped: list) -> None:
    assert cycles(edges) == looped


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """The check reads real files: a core module importing an asset is reported."""
    core = tmp_path / "core.py"
    core.write_text("from assets.cut import cut\n")
    assert imports(core, {"assets.cut"}) == {"assets.cut"}
    level = {u: n for n, floor in enumerate(floors()) for u in floor}
    assert level[unit("assets.cut", list(level))] < level[unit("microdrama.keys", list(level))]
