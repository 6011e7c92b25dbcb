"""Work done against a Dagster instance on an operator's behalf: render, archive, migrate,
backfill. The CLI and the sensors call these; the domain package never imports Dagster."""
