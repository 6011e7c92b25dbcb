"""The template sensor: a new template adds its genre; a changed one regenerates that genre."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import dagster as dg

from assets import episode_job, templates_job
from assets.partitions import genre_partitions
from assets.release import latest_release, observation
from instance.state import latest_data_version
from microdrama.words.template import TemplateError, load_template, template_files
from resources import CatalogResource, TemplateLibrary


@dataclass
class TemplateCursor:
    """Per-genre content hashes seen, and genres whose episodes wait for their new template."""

    hashes: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, cursor: str | None) -> TemplateCursor:
        return cls(**json.loads(cursor)) if cursor else cls()

    def dump(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dg.sensor(
    jobs=[templates_job, episode_job],
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def template_sensor(
    context: dg.SensorEvaluationContext, templates: TemplateLibrary, catalog: CatalogResource
) -> dg.SensorResult:
    """Watch the templates directory and its concept library.

    A genre's version is its template file's hash, or for a concept genre the digest of its
    concept file and every trope it draws, so a trope edit regenerates exactly the genres that
    draw it. A new genre adds its partition and validates it. A changed one re-validates,
    then (on a later tick, once that genre's template partition carries the new hash)
    regenerates exactly that genre's live episodes, found in the catalog, and records their
    new release version, so the UI shows them stale until they are made again. Broken files
    are reported and skipped. An unchanged directory costs one hash per template.
    """
    state = TemplateCursor.parse(context.cursor)
    instance = context.instance
    runs, new_genres, problems, releases = [], [], [], []
    library = templates.concepts()
    problems += [str(p) for p in library.problems]
    versions = {genre: library.digest(genre) for genre in library.genres}
    for path in template_files(templates.path):
        try:
            loaded = load_template(path)
        except TemplateError as exc:
            problems.append(str(exc))
            context.log.warning(f"skipped broken template: {exc}")
            continue
        versions.setdefault(loaded.template.genre, loaded.content_hash)
    for genre, digest in sorted(versions.items()):
        if state.hashes.get(genre) == digest:
            continue
        if not instance.has_dynamic_partition(genre_partitions.name, genre):
            new_genres.append(genre)
        runs.append(
            dg.RunRequest(
                job_name=templates_job.name,
                partition_key=genre,
                run_key=f"template:{genre}:{digest}",
            )
        )
        if genre in state.hashes:
            state.pending[genre] = digest
        state.hashes[genre] = digest
    for genre, digest in sorted(state.pending.items()):
        if latest_data_version(instance, "genre_templates", genre) != digest:
            continue
        for key in catalog.database().rows(genre=genre, status="live")["key"]:
            made = latest_release(instance, key)
            if made is not None:
                releases.append(observation(made.with_inputs(template=digest)))
            runs.append(
                dg.RunRequest(
                    job_name=episode_job.name,
                    partition_key=key,
                    run_key=f"regenerate:{key}:{digest}",
                    tags={"microdrama/reason": "template changed"},
                )
            )
        del state.pending[genre]
    skip = None if runs else ("; ".join(problems) if problems else "no template changed")
    return dg.SensorResult(
        run_requests=runs,
        skip_reason=skip,
        cursor=state.dump(),
        asset_events=releases,
        dynamic_partitions_requests=(
            [genre_partitions.build_add_request(new_genres)] if new_genres else []
        ),
    )
