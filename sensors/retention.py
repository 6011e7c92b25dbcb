"""The retention sensor: the instance keeps a live window of episodes; older ones are archived."""

from __future__ import annotations

import dagster as dg

from instance.archive import archive, due
from resources import CatalogResource, Localization


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def retention_sensor(
    context: dg.SensorEvaluationContext, catalog: CatalogResource, localization: Localization
) -> dg.SensorResult:
    """Archive the oldest episodes beyond MICRODRAMA_RETENTION (default: 10,000 episodes).

    Their keys leave the instance; their media, catalog rows, gallery cards and a lineage
    summary stay, and `microdrama render --episode KEY` brings one back. Nothing is deleted.
    """
    policy = catalog.retention_policy()
    keys = due(context.instance, policy)
    if not keys:
        return dg.SensorResult(skip_reason=f"within the retention window ({policy})")
    request = archive(
        context.instance,
        catalog.catalog(),
        keys,
        localization.locale_list(),
        catalog.dagster_url,
        catalog.player(),
    )
    context.log.info(f"archived {len(keys)} episode(s) beyond {policy}: {keys[0]} ...")
    return dg.SensorResult(dynamic_partitions_requests=[request])
