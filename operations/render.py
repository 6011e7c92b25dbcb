"""`microdrama render`: mint or restore one episode and make it through Dagster, in-process.

The command line and the UI share one instance, one asset graph and one history.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import dagster as dg

from assets.partitions import episode_partitions, genre_partitions
from assets.release import latest_release, observation
from assets.templates import genre_templates, template_source
from assets.trends import feed_source, trends
from definitions import defs
from instance.minting import Minter
from microdrama.catalog.retention import record_restore
from microdrama.keys import EpisodeKey, UnsafeKeyError, check_key, parse_series
from microdrama.release import Release, default_seed, utc_now
from microdrama.stages import Episode, package_path, variant_paths
from microdrama.trends.feed import load_trend_feed
from microdrama.words.template_table import template_from_table
from operations.resources import resources
from resources import CatalogResource
from resources.config import REPO, dagster_home

QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


class RenderError(RuntimeError):
    pass


def ensure_dagster_home(home: Path | None = None) -> Path:
    """`home`, by default $DAGSTER_HOME or a .dagster_home beside the repo, made, with a link to
    the repo's dagster.yaml where it has none."""
    home = dagster_home() if home is None else home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() and (REPO / "dagster.yaml").exists():
        config.symlink_to(REPO / "dagster.yaml")
    return home


def open_instance(home: Path | None = None) -> dg.DagsterInstance:
    """The instance in `home` (by default $DAGSTER_HOME, or .dagster_home beside the repo),
    opened without setting DAGSTER_HOME: what `DagsterInstance.get()` opens where it is set."""
    return dg.DagsterInstance.from_config(str(ensure_dagster_home(home)))


def run_job(
    instance: dg.DagsterInstance,
    job_name: str,
    partition: str | None,
    what: str,
    location: dg.Definitions | None = None,
    until: str | None = None,
) -> None:
    """Run `job_name` of the code location (`location`, by default `definitions.defs`), whole
    or, with `until`, only its assets up to that one.

    With the in-process executor the run happens in this process; with another (the cluster's
    Celery workers) this process only orchestrates it, so the job is handed over as one the
    workers can rebuild from `definitions` by name."""
    job = (location or defs).resolve_job_def(job_name)
    selection = assets_until(job, until) if until else None
    if job.executor_def.name == "in_process":
        outcome = job.execute_in_process(
            instance=instance,
            run_config=QUIET,
            partition_key=partition,
            raise_on_error=False,
            asset_selection=selection,
        )
    else:
        outcome = dg.execute_job(
            dg.build_reconstructable_job("definitions", "job_named", (job_name,)),
            instance,
            run_config=QUIET,
            tags={"dagster/partition": partition} if partition else None,
            raise_on_error=False,
            asset_selection=selection,
        )
    if not outcome.success:
        failure = next((e for e in outcome.all_events if e.is_failure), None)
        error = getattr(failure.event_specific_data, "error", None) if failure else None
        message = user_cause(error) if error else "see the run in the Dagster UI"
        raise RenderError(f"{job_name} failed for {what}: {message}")


def user_cause(error: object) -> str:
    """The innermost cause of a step's error, as its own message says it (our errors name the
    file, the field and the reason), without Dagster's wrapping or the exception's module: what
    the command's last line tells the user. The full log stays above it."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    message = str(getattr(error, "message", error)).strip()
    first = message.splitlines()[0] if message else "see the run in the Dagster UI"
    kind = getattr(error, "cls_name", None)
    return first.split(f"{kind}: ", 1)[1] if kind and f"{kind}: " in first else first


def assets_until(job: dg.JobDefinition, until: str) -> list[dg.AssetKey]:
    """The job's assets in the order they are made, up to `until` (so with all it needs)."""
    graph = job.asset_layer.asset_graph
    keys = [k for k in graph.toposorted_asset_keys if k in graph.executable_asset_keys]
    names = [k.to_user_string() for k in keys]
    if until not in names:
        raise RenderError(f"--until {until!r}: name one of {', '.join(names)}")
    return keys[: names.index(until) + 1]


def slot(
    instance: dg.DagsterInstance,
    catalog: CatalogResource,
    feed_path: str,
    genre: str,
    episode: str | None,
    seed: int | None,
    series: str | None = None,
    location: dg.Definitions | None = None,
) -> Release:
    """The release to make: a new pilot of `genre`, the next episode of `series`, or the
    episode named, restored or minted."""
    if episode is None:
        feed = load_trend_feed(Path(feed_path))
        template_hash = catalog_template_hash(catalog, genre, location)
        minter = Minter(instance, catalog.catalog())
        if series is not None:
            return minter.next_episode(series, template_hash, "render", feed, seed=seed)
        return minter.pilot(genre, template_hash, "render", feed, seed=seed)
    key = EpisodeKey.parse(episode)
    made = latest_release(instance, episode)
    if made is None:
        made = Release(
            episode,
            default_seed(key) if seed is None else seed,
            None,
            utc_now(),
            "render",
            {"template": catalog_template_hash(catalog, genre, location)},
        )
    elif seed is not None and seed != made.seed:
        made = replace(made, seed=seed, topic=None)
    if not instance.has_dynamic_partition(episode_partitions.name, episode):
        record_restore(catalog.media.store(), key)  # an archived episode comes back
    return made


def catalog_template_hash(
    catalog: CatalogResource, genre: str, location: dg.Definitions | None = None
) -> str:
    """The genre's version, as its genre_templates partition records it: a concept genre's
    library digest, else its template file's hash."""
    with resources("templates", location=location) as built:
        library = built.templates.concepts()
    if genre in library.genres:
        return library.digest(genre)
    store = catalog.media.store()
    return template_from_table(store.read_table(store.template_table(genre)), genre)[1]


CODE_VERSION_TAG = "dagster/code_version"  # on every materialization, by Dagster


def made_from(
    instance: dg.DagsterInstance,
    asset: dg.AssetsDefinition,
    partition: str | None,
    source: str,
    output: Path | None,
) -> bool:
    """Whether the asset's latest materialization was made from `source` by the code of today
    and its `output` (in the media store configured now) is there: another run would make the
    same thing again."""
    found = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=asset.key, asset_partitions=[partition] if partition else None
        ),
        limit=1,
    ).records
    made = found[0].asset_materialization if found else None
    if made is None or not source:
        return False
    return (
        getattr(made.metadata.get("source"), "value", None) == source
        and made.tags.get(CODE_VERSION_TAG) == asset.code_versions_by_key[asset.key]
        and (output is None or output.exists())
    )


def refresh_inputs(
    instance: dg.DagsterInstance, genre: str, location: dg.Definitions | None = None
) -> None:
    """The genre's template and the trend feed, made again where their files or code changed
    since they were last made; a render of unchanged inputs (the usual case) runs one job, not
    three."""
    with resources("templates", "trend_feed", "media", location=location) as built:
        store = built.media.store()
        template = template_source(built.templates, genre)
        table = store.template_table(genre)
        has_file = (built.templates.path / f"{genre}.yaml").exists()
        feed = feed_source(Path(built.trend_feed.path))
        trend_table = store.table_path("trends")
    if not made_from(instance, genre_templates, genre, template, table if has_file else None):
        run_job(instance, "templates_job", genre, genre, location)
    if not made_from(instance, trends, None, feed, trend_table):
        run_job(instance, "trends_job", None, "the trend feed", location)


def render(
    genre: str | None,
    episode: str | None,
    seed: int | None,
    series: str | None = None,
    *,
    location: dg.Definitions | None = None,
    home: Path | None = None,
    until: str | None = None,
) -> dict:
    """Make one episode and its catalog row and gallery card; return where everything is.

    `location` is the code location to run (by default `definitions.defs`, configured from the
    environment) and `home` the instance's folder (by default $DAGSTER_HOME)."""
    started = time.perf_counter()
    if series is not None:
        try:
            series_genre, _ = parse_series(series)
        except UnsafeKeyError as exc:
            raise RenderError(f"--series: {exc}") from None
        if genre is not None and genre != series_genre:
            raise RenderError(f"--series {series} is of genre {series_genre!r}, not {genre!r}")
        genre = series_genre
    if episode is not None:
        key = EpisodeKey.parse(episode)
        if genre is not None and genre != key.genre:
            raise RenderError(f"--episode {episode} is of genre {key.genre!r}, not {genre!r}")
        genre = key.genre
    if genre is None:
        raise RenderError("name a --genre (a new pilot) or an --episode key")
    check_key("genre", genre)
    instance = open_instance(home)
    if not instance.has_dynamic_partition(genre_partitions.name, genre):
        instance.add_dynamic_partitions(genre_partitions.name, [genre])
    refresh_inputs(instance, genre, location)
    with resources("catalog", "trend_feed", location=location) as built:
        catalog = built.catalog
        feed = built.trend_feed.path
        try:
            made = slot(instance, catalog, feed, genre, episode, seed, series, location)
        except ValueError as exc:
            raise RenderError(str(exc)) from None
    if not instance.has_dynamic_partition(episode_partitions.name, made.key):
        instance.add_dynamic_partitions(episode_partitions.name, [made.key])
    instance.report_runless_asset_event(observation(made))
    run_job(instance, "episode_job", made.key, made.key, location, until)
    if until is not None:  # no catalog row yet: say what was made
        seconds = round(time.perf_counter() - started, 1)
        return {"episode": made.key, "until": until, "seconds": seconds}
    return outcome(catalog, made.episode, started)


def add_locales(episode: str) -> dict:
    """Dub and package the configured locales (MICRODRAMA_LOCALES) onto an episode already
    made, keeping its picture: the voice, localized, catalog and gallery assets, not the cut."""
    started = time.perf_counter()
    key = EpisodeKey.parse(episode)
    instance = open_instance()
    if not instance.has_dynamic_partition(episode_partitions.name, str(key)):
        raise RenderError(f"--episode {key} is not live: render it first (or bring it back)")
    run_job(instance, "locales_job", str(key), str(key))
    with resources("catalog") as built:
        return outcome(built.catalog, key, started)


def outcome(catalog: CatalogResource, key: EpisodeKey, started: float) -> dict:
    """Where an episode just made is: its package, variants, subtitles, catalog and gallery."""
    store = catalog.media.store()
    ep = Episode(store, key)
    row = catalog.database().rows(keys=[str(key)]).iloc[0]
    paths = variant_paths(ep, row["locales"].split(","))
    package = package_path(ep)
    return {
        "genre": key.genre,
        "series": key.series_id,
        "episode_number": key.number,
        "episode": str(key),
        "package": str(package) if package else None,
        "cut": str(ep.dir("cut")),
        "variants": {loc: str(p["video"]) for loc, p in paths.items() if "video" in p},
        "subtitles": {loc: str(p["subtitles"].with_suffix(".srt")) for loc, p in paths.items()},
        "catalog": str(store.root / "tables" / "catalog"),
        "gallery": str(store.root / "gallery" / "index.html"),
        "seconds": round(time.perf_counter() - started, 1),
    }
