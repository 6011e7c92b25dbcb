"""Schedules from the schedules file, evaluated with build_schedule_context on a real instance:
each requests the right runs at its time, a slate still running is not doubled, a wrong file
is reported with its file and field, and the nightly report lands beside the gallery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._core.utils import make_new_run_id
from test_sensors import cadence_resources, materialize_all_templates

from definitions import defs
from microdrama.keys import EpisodeKey
from sensors.schedule_file import ScheduleFileError, load_schedule_file
from sensors.schedules import SCHEDULE_TAG, build_schedules

REPO = Path(__file__).resolve().parent.parent
FILE = """
schedules:
  revenge_slate:
    kind: release_slate
    cron: "0 20 * * *"
    timezone: Asia/Shanghai
    genre: revenge
    count: 3
  model_slate:
    kind: release_slate
    cron: "0 8 * * *"
    genre: audience
    count: 2
    enabled: true
  trend_refresh:
    kind: trend_refresh
    cron: "0 * * * *"
    enabled: true
  nightly_audience_report:
    kind: audience_report
    cron: "30 2 * * *"
    enabled: true
"""


def schedules(tmp_path: Path, text: str = FILE) -> dict[str, dg.ScheduleDefinition]:
    path = tmp_path / "schedules.yaml"
    path.write_text(text)
    return {s.name: s for s in build_schedules(load_schedule_file(path))}


def evaluate(schedule: dg.ScheduleDefinition, world, when: datetime, **resources):
    with dg.build_schedule_context(
        instance=world["instance"], scheduled_execution_time=when, resources=resources
    ) as context:
        return schedule(context)


def test_each_schedule_requests_the_right_runs_at_its_time(world, tmp_path: Path) -> None:
    found = schedules(tmp_path)
    slate = found["revenge_slate"]
    assert (slate.cron_schedule, slate.execution_timezone) == ("0 20 * * *", "Asia/Shanghai")
    assert slate.default_status == dg.DefaultScheduleStatus.STOPPED  # it spends compute
    assert found["trend_refresh"].default_status == dg.DefaultScheduleStatus.RUNNING
    materialize_all_templates(world)
    resources = cadence_resources(world)
    evening = datetime(2026, 12, 7, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    requests = evaluate(slate, world, evening, **resources)
    keys = [r.partition_key for r in requests]
    assert len(keys) == 3 and {EpisodeKey.parse(k).genre for k in keys} == {"revenge"}
    assert all(EpisodeKey.parse(k).number == 1 for k in keys) and len(set(keys)) == 3
    assert all(world["instance"].has_dynamic_partition("episodes", k) for k in keys)
    assert {r.tags[SCHEDULE_TAG] for r in requests} == {"revenge_slate"}
    assert len({r.run_key for r in requests}) == 3
    log = world["catalog"].decisions().recent()
    assert sorted(log["key"]) == sorted(keys) and set(log["kind"]) == {"pilot"}
    chosen = evaluate(
        found["model_slate"], world, datetime(2026, 12, 7, 8, tzinfo=UTC), **resources
    )
    assert len(chosen) == 2 and all(r.job_name == "episode_job" for r in chosen)
    hourly = evaluate(found["trend_refresh"], world, datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert hourly.run_key == "trend_refresh:2026-12-07T09:00:00+00:00"
    assert found["trend_refresh"].job_name == "trends_job"
    report = evaluate(
        found["nightly_audience_report"], world, datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    )
    assert report.tags[SCHEDULE_TAG] == "nightly_audience_report"
    assert found["nightly_audience_report"].job_name == "audience_report_job"


def test_a_running_slate_is_not_doubled(world, tmp_path: Path) -> None:
    slate = schedules(tmp_path)["revenge_slate"]
    materialize_all_templates(world)
    world["instance"].add_run(
        dg.DagsterRun(
            job_name="episode_job",
            run_id=make_new_run_id(),
            status=dg.DagsterRunStatus.STARTED,
            tags={SCHEDULE_TAG: "revenge_slate"},
        )
    )
    skipped = evaluate(
        slate, world, datetime(2026, 12, 8, 12, tzinfo=UTC), **cadence_resources(world)
    )
    assert isinstance(skipped, dg.SkipReason) and "still running" in skipped.skip_message
    assert world["catalog"].decisions().recent().empty  # nothing was minted


@pytest.mark.parametrize(
    ("entry", "field", "reason"),
    [
        ("kind: release_slate\n    cron: '0 25'", "schedules.bad.cron", "five cron fields"),
        (
            "kind: trend_refresh\n    cron: '0 * * * *'\n    timezone: Mars/Olympus",
            "schedules.bad.timezone",
            "IANA",
        ),
        ("kind: release_slate\n    cron: '0 8 * * *'\n    count: 0", "schedules.bad.count", "1"),
        ("kind: nightly\n    cron: '0 8 * * *'", "schedules.bad.kind", "expected one of"),
        ("kind: trend_refresh\n    cron: '0 8 * * *'\n    colour: red", "schedules.bad.colour", ""),
        ("kind: trend_refresh\n    cron: '0 8 * * *'\n    enabled: yes please", "enabled", ""),
    ],
)
def test_an_invalid_schedule_file_is_named_with_its_field(
    tmp_path: Path, entry: str, field: str, reason: str
) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text(f"schedules:\n  bad:\n    {entry}\n")
    with pytest.raises(ScheduleFileError) as raised:
        load_schedule_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and field in message and reason in message


def test_the_shipped_schedules_are_registered_and_off_where_they_spend_compute() -> None:
    specs = load_schedule_file(REPO / "schedules.yaml")
    registered = {s.name: s for s in defs.schedules or []}
    for spec in specs:
        assert spec.name in registered
        if spec.kind == "release_slate":
            assert not spec.enabled


def test_the_nightly_report_is_a_static_page_beside_the_gallery(world) -> None:
    outcome = defs.resolve_job_def("audience_report_job").execute_in_process(
        instance=world["instance"]
    )
    assert outcome.success
    page = world["storage"] / "gallery" / "audience.html"
    text = page.read_text()
    assert "<table>" in text and "completion by genre" in text and 'href="index.html"' in text
