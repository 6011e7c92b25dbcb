"""Configuration is read in one place: resources/config.py's table of settings.

Every environment read in the code (outside tests/) is in resources/config.py, nothing writes
to `os.environ`, and every MICRODRAMA_* name the code mentions is a documented setting.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from resources.config import GROUPS, SETTINGS, setting, value

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "resources" / "config.py"
SKIPPED = {"tests", ".venv", "node_modules", "storage", "site", "build", "dist"}
READERS = {"getenv", "getenvb", "putenv", "unsetenv"}  # os.<these>
WRITERS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}
NAME = re.compile(r"\bMICRODRAMA_[A-Z0-9_]*[A-Z0-9]\b")


def sources() -> list[Path]:
    """Every .py file of the project outside tests/, the virtual environment and outputs."""
    return sorted(
        path
        for path in REPO.rglob("*.py")
        if not SKIPPED & set(path.relative_to(REPO).parts[:-1])
        and not any(part.startswith(".") for part in path.relative_to(REPO).parts)
    )


def environ_uses(tree: ast.AST) -> tuple[list[int], list[int]]:
    """Lines that touch the environment (reads and writes alike), and lines that write to it."""
    touched, written = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "environb"} | READERS:
            touched.append(node.lineno)  # os.environ, os.getenv, os.putenv...
        elif isinstance(node, ast.Name) and node.id in {"environ", "getenv", "putenv"}:
            touched.append(node.lineno)  # from os import environ
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {alias.name for alias in node.names}
            if names & ({"environ", "environb"} | READERS):
                touched.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if is_environ(target) and node.func.attr in WRITERS:
                written.append(node.lineno)  # os.environ.update(...), .setdefault(...)
            if node.func.attr in {"putenv", "unsetenv"}:
                written.append(node.lineno)
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            if isinstance(target, ast.Subscript) and is_environ(target.value):
                written.append(node.lineno)  # os.environ[...] = ..., del os.environ[...]
            if is_environ(target):
                written.append(node.lineno)  # os.environ = {...}
    return touched, written


def is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in {"environ", "environb"}) or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def named_settings(tree: ast.AST) -> set[str]:
    """Every MICRODRAMA_* name in the module's strings, docstrings and f-strings included."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names |= set(NAME.findall(node.value))
    return names


def parsed() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sources()}


def test_the_walk_sees_the_project() -> None:
    found = {path.relative_to(REPO).as_posix() for path in sources()}
    assert {"resources/config.py", "definitions.py", "commands/cli.py"} <= found
    assert not any(name.startswith(("tests/", ".venv/")) for name in found)


def test_only_resources_config_reads_the_environment() -> None:
    readers = [
        f"{path.relative_to(REPO)}:{line}"
        for path, tree in parsed().items()
        if path != CONFIG
        for line in environ_uses(tree)[0]
    ]
    assert not readers, f"read the setting with resources.config.value, and pass it: {readers}"


def test_nothing_writes_to_the_environment() -> None:
    writers = [
        f"{path.relative_to(REPO)}:{line}"
        for path, tree in parsed().items()
        for line in environ_uses(tree)[1]
    ]
    assert not writers, f"pass configuration as arguments (or a child's env=): {writers}"


def test_the_walk_catches_reads_and_writes() -> None:
    touched, written = environ_uses(
        ast.parse(
            "import os\nfrom os import environ\nos.environ.get('A')\nos.getenv('B')\n"
            "os.environ['C'] = '1'\nos.environ.update(D='1')\nenviron.setdefault('E', '1')\n"
            "del os.environ['F']\n"
        )
    )
    assert {2, 3, 4, 5, 6, 7, 8} <= set(touched)
    assert set(written) == {5, 6, 7, 8}


def test_every_microdrama_name_is_a_documented_setting() -> None:
    known = {s.name for s in SETTINGS}
    unknown = sorted(
        f"{path.relative_to(REPO)}: {name}"
        for path, tree in parsed().items()
        for name in named_settings(tree) - known
    )
    assert not unknown, f"add these to resources.config.SETTINGS (or fix the name): {unknown}"


def test_the_table_documents_every_setting() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names)), "a setting is listed twice"
    for s in SETTINGS:
        assert s.name.isupper() and s.name.startswith(("MICRODRAMA_", "DAGSTER_")), s.name
        assert s.description.strip().endswith("."), f"{s.name}: describe it in a sentence"
        assert len(s.description) > 20, f"{s.name}: say what it sets and what it accepts"
        assert s.group in GROUPS, f"{s.name}: group {s.group!r} is not one of {GROUPS}"
        assert isinstance(s.default, str), s.name


def test_a_setting_is_its_variable_or_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICRODRAMA_DAGSTER_URL", raising=False)
    assert value("MICRODRAMA_DAGSTER_URL") == "http://127.0.0.1:3000"
    assert setting("MICRODRAMA_DAGSTER_URL") == "http://127.0.0.1:3000"  # a plain default
    assert value("MICRODRAMA_DAGSTER_URL", {"MICRODRAMA_DAGSTER_URL": "http://ui"}) == "http://ui"
    monkeypatch.setenv("MICRODRAMA_DAGSTER_URL", "http://elsewhere:3000")
    assert value("MICRODRAMA_DAGSTER_URL") == "http://elsewhere:3000"
    configured = setting("MICRODRAMA_DAGSTER_URL")
    assert configured.env_var_name == "MICRODRAMA_DAGSTER_URL"  # the UI shows the variable
    with pytest.raises(KeyError):
        value("MICRODRAMA_NOT_A_SETTING")  # not in the table


def test_resources_configured_from_a_mapping_need_no_environment() -> None:
    import dagster as dg

    from resources.config import configured, default_resources

    built = default_resources(configured({"MICRODRAMA_LOCALES": "en,es"}))
    assert built["localization"].locales == "en,es"
    with dg.build_resources({"catalog": built["catalog"]}) as resources:
        assert resources.catalog.dagster_url == value("MICRODRAMA_DAGSTER_URL")
