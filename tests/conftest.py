"""Shared fixtures: an isolated factory (temp instance, storage and templates) and one render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SHORT_GENRE = "short-revenge"


@pytest.fixture(scope="session")
def factory(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Environment for a factory of our own: DAGSTER_HOME, storage, and a templates dir."""
    root = tmp_path_factory.mktemp("factory")
    templates = root / "templates"
    for folder in ("phrasebook", "policy"):
        shutil.copytree(REPO / "templates" / folder, templates / folder)
    shutil.copy(FIXTURES / f"{SHORT_GENRE}.yaml", templates)
    shutil.copy(REPO / "templates" / "revenge.yaml", templates)
    env = {
        "DAGSTER_HOME": root / "dagster_home",
        "MICRODRAMA_STORAGE": root / "storage",
        "MICRODRAMA_TEMPLATES": templates,
        "MICRODRAMA_TRENDS": REPO / "data" / "trends.csv",
        "MICRODRAMA_LOCALES": "en,es,pt-BR,zh-CN",
    }
    env["DAGSTER_HOME"].mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, str(value))
        yield env


@pytest.fixture(scope="session")
def rendered(factory: dict[str, Path]) -> dict:
    """One short episode rendered through Dagster, exactly as `microdrama render` does it."""
    from microdrama.cli import render

    return render(SHORT_GENRE, "e0001", seed=11)
