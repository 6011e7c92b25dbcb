"""The code location loads cleanly and its lineage is the designed one."""

from __future__ import annotations

import warnings

import dagster as dg


def test_definitions_load_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from definitions import defs

        dg.Definitions.validate_loadable(defs)


def test_lineage() -> None:
    from definitions import defs

    graph = defs.resolve_asset_graph()
    parents = {
        key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert parents["release"] == {"genre_templates", "trends"}
    assert parents["premise"] == {"release"}
    assert parents["script"] == {"premise"}
    assert parents["frames"] == {"script"}
    assert parents["voice"] == {"script"}
    assert parents["motion"] == {"frames", "voice"}
    assert parents["cut"] == {"frames", "voice", "motion"}
    assert parents["music"] == {"cut"}
    assert parents["localized"] == {"cut", "voice", "music"}
    assert parents["catalog"] == {"localized"}
    assert parents["gallery"] == {"catalog"}
    partitioned = {
        k.to_user_string()
        for k in graph.get_all_asset_keys()
        if graph.get(k).partitions_def is not None
    }
    assert partitioned == {
        "genre_templates",
        "release",
        "premise",
        "script",
        "frames",
        "voice",
        "motion",
        "cut",
        "music",
        "localized",
        "catalog",
        "gallery",
    }


def test_every_episode_asset_is_one_partition_per_episode() -> None:
    """One dynamic dimension of episode keys: no cross product, no empty cells."""
    from assets import EPISODE_ASSETS
    from assets.partitions import episode_partitions
    from definitions import defs

    graph = defs.resolve_asset_graph()
    for asset in EPISODE_ASSETS:
        node = graph.get(asset.key)
        assert node.partitions_def == episode_partitions
        for parent in node.parent_keys:  # release included: each episode reads its own
            assert graph.get(parent).partitions_def == episode_partitions
            mapping = graph.get_partition_mapping(asset.key, parent)
            assert isinstance(mapping, dg.IdentityPartitionMapping), (asset.key, parent)


def test_every_quality_gate_is_an_asset_check_and_only_warnings_do_not_block() -> None:
    from definitions import defs
    from microdrama.quality.gates import CHECKS, NON_BLOCKING

    specs = {
        (spec.asset_key.to_user_string(), spec.name): spec
        for asset in defs.assets or []
        for spec in getattr(asset, "check_specs", [])
    }
    expected = {(artifact, name) for artifact, gates in CHECKS.items() for name in gates}
    assert set(specs) == expected
    assert {name for (_, name), spec in specs.items() if not spec.blocking} == NON_BLOCKING


def test_model_steps_share_the_gpu_pool_and_batch_partitions() -> None:
    from definitions import defs

    for name in ("premise", "script", "frames", "voice", "motion", "cut", "music", "localized"):
        asset = defs.resolve_assets_def(name)
        assert asset.backfill_policy == dg.BackfillPolicy.multi_run(max_partitions_per_run=4)
        assert asset.op.pool == (None if name in ("cut", "localized") else "gpu"), name
