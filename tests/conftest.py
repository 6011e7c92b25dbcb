"""Shared fixtures: an isolated factory (temp instance, storage and templates) and one render."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from resources.config import SETTINGS

REPO = Path(__file__).resolve().parent.parent
# Every MICRODRAMA_* variable set (to its default where unset) before the code location is
# imported: its resources then read each one as an EnvVar, when a run starts, so the tests'
# `environment` blocks below reach them (an unset variable is configured by its default, fixed).
for _setting in SETTINGS:
    if _setting.name.startswith("MICRODRAMA_"):
        os.environ.setdefault(_setting.name, _setting.default)
FIXTURES = Path(__file__).parent / "fixtures"
SHORT_GENRE = "short-revenge"
SHORT_KEY = "short-revenge-0001-01"  # the episode `rendered` makes


def factory_env(root: Path, templates_from: list[Path]) -> dict[str, Path]:
    """DAGSTER_HOME, storage and a templates dir (phrasebooks and policy included) under root."""
    templates = root / "templates"
    for folder in ("phrasebook", "policy", "music"):
        shutil.copytree(REPO / "templates" / folder, templates / folder)
    for path in templates_from:
        shutil.copy(path, templates)
    env = {
        "DAGSTER_HOME": root / "dagster_home",
        "MICRODRAMA_STORAGE": root / "storage",
        "MICRODRAMA_TEMPLATES": templates,
        "MICRODRAMA_TRENDS": REPO / "data" / "trends.csv",
        "MICRODRAMA_LOCALES": "en,es,pt-BR,zh-CN",
        "MICRODRAMA_BURNED_IN": "en",
    }
    env["DAGSTER_HOME"].mkdir()
    return env


@contextmanager
def environment(env: dict[str, Path]) -> Iterator[dict[str, Path]]:
    """`env` set for the block, then every variable back to what it was (its default: see the
    top of this file)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, str(value))
        yield env


@pytest.fixture(scope="session")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Environment for a factory of our own: DAGSTER_HOME, storage, and a templates dir."""
    shipped = [FIXTURES / f"{SHORT_GENRE}.yaml", REPO / "templates" / "revenge.yaml"]
    env = factory_env(tmp_path_factory.mktemp("factory"), shipped)
    env["MICRODRAMA_BURNED_IN"] = "all"  # the package and a burned-in MP4 for every locale
    with environment(env) as env:
        yield env


@pytest.fixture(scope="session")
def rendered(factory: dict[str, Path]) -> dict:
    """One short episode rendered through Dagster, exactly as `microdrama render` does it."""
    from operations.render import render

    return render(None, SHORT_KEY, seed=11)


def release(key: str, topic: str | None = None, seed: int = 1) -> None:
    """Mint `key` by hand with a release that rides `topic` (the trend sensor's way)."""
    import dagster as dg

    from assets.release import observation
    from microdrama.release import Release, utc_now

    instance = dg.DagsterInstance.get()
    if not instance.has_dynamic_partition("episodes", key):
        instance.add_dynamic_partitions("episodes", [key])
    instance.report_runless_asset_event(
        observation(Release(key, seed, topic, utc_now(), "test", {}))
    )


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Templates (every shipped genre plus the short one), a feed, storage and an instance."""
    import dagster as dg

    from resources import CatalogResource, MediaStoreResource

    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    shutil.copy(FIXTURES / f"{SHORT_GENRE}.yaml", templates)
    feed = tmp_path / "trends.csv"
    shutil.copy(REPO / "data" / "trends.csv", feed)
    monkeypatch.setenv("MICRODRAMA_TEMPLATES", str(templates))
    monkeypatch.setenv("MICRODRAMA_TRENDS", str(feed))
    monkeypatch.setenv("MICRODRAMA_STORAGE", str(tmp_path / "storage"))
    media = MediaStoreResource(root=str(tmp_path / "storage"))
    with dg.instance_for_test() as instance:
        yield {
            "templates": templates,
            "feed": feed,
            "storage": tmp_path / "storage",
            "instance": instance,
            "media": media,
            "catalog": CatalogResource(media=media, retention="10000"),
        }


def tick(sensor, world, cursor=None, **resources) -> dg.SensorResult:
    """One sensor evaluation against `world`'s instance, its partition requests and asset
    events applied as the daemon applies them."""
    with dg.build_sensor_context(
        instance=world["instance"], cursor=cursor, resources=resources
    ) as context:
        result = sensor(context)
    for request in result.dynamic_partitions_requests or []:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            world["instance"].add_dynamic_partitions(
                request.partitions_def_name, list(request.partition_keys)
            )
        else:
            for key in request.partition_keys:
                world["instance"].delete_dynamic_partition(request.partitions_def_name, key)
    for event in result.asset_events or []:
        world["instance"].report_runless_asset_event(event)
    return result
