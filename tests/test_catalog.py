"""The incremental catalog: one file and one SQL row per episode, read by pandas, pyarrow and
DuckDB, equal to a catalog rebuilt from the media store after renders, re-renders, refused
re-renders and archiving; an archived episode stays catalogued and renders again."""

from __future__ import annotations

import gzip
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest
from conftest import SHORT_KEY, release

from commands.cli import main
from microdrama.keys import EpisodeKey
from operations.resources import resources


def books():
    with resources("catalog") as built:
        return built.catalog.catalog()


def test_each_episode_is_one_file_that_pandas_pyarrow_and_duckdb_read(
    rendered: dict, factory: dict[str, Path]
) -> None:
    dataset = Path(rendered["catalog"])
    (only,) = [p for p in dataset.rglob("*.parquet") if SHORT_KEY in p.name]
    day = rendered_day(factory)
    assert only.relative_to(dataset).as_posix() == (
        f"genre=short-revenge/day={day}/{SHORT_KEY}.parquet"
    )
    by_pandas = pd.read_parquet(dataset)
    by_arrow = ds.dataset(dataset, partitioning="hive").to_table().to_pandas()
    by_duck = duckdb.sql(
        f"SELECT key, genre, day FROM read_parquet('{dataset}/**/*.parquet', hive_partitioning=1)"
    ).df()
    for table in (by_pandas, by_arrow, by_duck):
        assert SHORT_KEY in set(table["key"])
    row = by_pandas.set_index("key").loc[SHORT_KEY]
    assert row["genre"] == "short-revenge" and row["series"] == "short-revenge-0001"
    assert books().db.rows(keys=[SHORT_KEY])["title"].tolist() == [row["title"]]


def rendered_day(factory: dict[str, Path]) -> str:
    return books().db.rows(keys=[SHORT_KEY])["day"].iloc[0]


def test_incremental_catalog_equals_the_rebuilt_one_and_archives_restore(
    rendered: dict, factory: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from instance.archive import archive
    from operations.render import render

    second = render("short-revenge", None, 21)["episode"]  # a new pilot
    render(None, SHORT_KEY, 11)  # a re-render: the same episode again
    catalog = books()
    before = catalog.table().set_index("key").loc[SHORT_KEY]
    release(SHORT_KEY, topic="the Heroin trade", seed=11)  # refused: the last good one stays
    with pytest.raises(RuntimeError):
        render(None, SHORT_KEY, None)
    release(SHORT_KEY, topic=None, seed=11)
    assert catalog.table().set_index("key").loc[SHORT_KEY].equals(before)

    instance = dg.DagsterInstance.get()
    made_it = instance.get_run_ids(dg.RunsFilter(tags={"dagster/partition": second}))
    assert made_it and second in instance.get_materialized_partitions(dg.AssetKey("premise"))
    request = archive(instance, catalog, [second], ["en"], "http://127.0.0.1:3000")
    for key in request.partition_keys:
        instance.delete_dynamic_partition("episodes", key)
    assert not instance.has_dynamic_partition("episodes", second)
    # its runs left the instance with it, copied whole to the store first
    assert not instance.get_run_ids(dg.RunsFilter(run_ids=made_it))
    assert second not in instance.get_materialized_partitions(dg.AssetKey("premise"))
    assert SHORT_KEY in instance.get_materialized_partitions(dg.AssetKey("premise"))
    for run_id in made_it:
        run, *events = gzip.decompress(catalog.store.archived_run(run_id).read_bytes()).split(b"\n")
        assert dg.deserialize_value(run.decode(), dg.DagsterRun).run_id == run_id
        entries = [dg.deserialize_value(e.decode(), dg.EventLogEntry) for e in events]
        assert second in {
            e.asset_materialization.partition for e in entries if e.asset_materialization
        }
    assert catalog.db.rows(keys=[second])["status"].tolist() == ["archived"]
    assert main(["catalog", "--rebuild"]) == 0
    assert "0 differed" in capsys.readouterr().err

    back = render(None, second, None)  # an archived episode, brought back
    assert back["episode"] == second
    assert instance.has_dynamic_partition("episodes", second)
    assert catalog.db.rows(keys=[second])["status"].tolist() == ["live"]
    lineage = catalog.store.episode_dir(EpisodeKey.parse(second)) / "lineage.json"
    assert '"restored"' in lineage.read_text() and '"archived"' in lineage.read_text()
    assert main(["catalog", "--rebuild"]) == 0
    assert "0 differed" in capsys.readouterr().err
