"""`microdrama bench --scale N`: a year at the cadence, without the video, and what grows.

Mints N episodes the way the release cadence does (the same Minter: a series number, a release
observed in the instance, one key), one every 90 simulated seconds, with the cheapest real
path for the rest: small media stand-ins copied from one real episode (its JSON and checks,
no video), a finished run of the episode job holding its `premise` materialization, the
episode's catalog row and gallery card written by the same code the assets run (between
checkpoints the gallery pages are rewritten once per hundred episodes; the measured update is
the single-episode one), and retention archiving the oldest keys, and their runs, as its
sensor does. At N/10 and at N it measures what a year could make slow, and prints a table
and, as its last line, one JSON object (each figure at both sizes, and `growth`, the one over
the other).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import random
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.postgres import scratch_database, vacuum_unless_automatic
from microdrama.release import Release
from resources.config import is_set, value

REPO = Path(__file__).resolve().parent.parent
PROTOTYPE_GENRE = "revenge"
CADENCE = timedelta(seconds=90)
# about as often as autovacuum's default threshold (a fifth of a table dead) would come round
VACUUM_EVERY = 2000
MEDIA = {".png", ".wav", ".mp4", ".m4s", ".yuv"}  # left out of the stand-ins: only records matter


def seconds(work: Callable[[], object], turns: int = 3) -> float:
    """The best of `turns` runs: these machines are noisy and the figure is a cost, not a mean."""
    best = float("inf")
    for _ in range(turns):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


class StandIns:
    """One real episode's small files, with its key, series and mint time made into slots."""

    def __init__(self, episode_dir: Path, key: str, minted_at: str):
        self.files: dict[str, bytes] = {}
        series = key.rsplit("-", 1)[0]
        for path in episode_dir.rglob("*"):
            if path.is_file() and path.suffix not in MEDIA and path.name != "lineage.json":
                text = path.read_bytes()
                if path.suffix in (".json", ".md", ".vtt", ".srt"):
                    raw = text.decode()
                    raw = raw.replace(key, "{KEY}").replace(series, "{SERIES}")
                    text = raw.replace(minted_at, "{MINTED}").encode()
                self.files[path.relative_to(episode_dir).as_posix()] = text

    def write(self, target: Path, key: str, minted_at: str) -> None:
        series = key.rsplit("-", 1)[0]
        for name, data in self.files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith((".json", ".md", ".vtt", ".srt")):
                raw = data.decode().replace("{KEY}", key).replace("{SERIES}", series)
                data = raw.replace("{MINTED}", minted_at).encode()
            path.write_bytes(data)


def first_paint(browser: object, url: str) -> dict[str, float]:
    """The gallery's own paint timings in a new page (the browser is already running)."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(url)
    page.wait_for_function("performance.getEntriesByName('first-cards').length > 0", timeout=60_000)
    timings = page.evaluate(
        """() => ({
            fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime / 1000,
            cards: performance.getEntriesByName('first-cards')[0].startTime / 1000,
            shown: document.querySelectorAll('article.episode').length,
            videos: document.querySelectorAll('video').length,
        })"""
    )
    page.close()
    return timings


POSTGRES_SERVER = ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD")


@contextlib.contextmanager
def instance_profile(
    profile: str, home: Path
) -> Iterator[tuple[dict[str, str], Callable[[], object]]]:
    """The settings of the instance the benchmark mints into, and its upkeep: the embedded
    profile (SQLite under `home`), or the production one (`deploy/dagster.yaml`, the catalog in
    Postgres too) on a database created for the run on the DAGSTER_PG_* server and dropped
    afterwards, vacuumed as autovacuum would where the server has it off."""
    if profile == "embedded":
        yield {}, lambda: None
        return
    missing = [name for name in POSTGRES_SERVER if not is_set(name)]
    if missing:
        raise SystemExit(f"--profile production needs {', '.join(missing)} (the Postgres server)")
    host, port, user, password = (value(name) for name in POSTGRES_SERVER)
    login = f"{user}:{password}" if password else user
    server = {"host": host, "port": port, "user": user, "password": password}
    with scratch_database("microdrama_scale", **server) as name:
        connection = {
            "DAGSTER_PG_HOST": host,
            "DAGSTER_PG_PORT": port,
            "DAGSTER_PG_USER": user,
            "DAGSTER_PG_PASSWORD": password,
            "DAGSTER_PG_DB": name,
        }
        production_config(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml", connection)
        settings = {"MICRODRAMA_CATALOG_URL": f"postgresql://{login}@{host}:{port}/{name}"}
        yield settings, functools.partial(vacuum_unless_automatic, name, **server)


def production_config(source: Path, target: Path, connection: dict[str, str]) -> None:
    """`source` (deploy/dagster.yaml) written to `target` with its `{env: DAGSTER_PG_*}`
    references filled in from `connection`, so the benchmark's instance needs no variables."""
    import yaml

    config = yaml.safe_load(source.read_text())
    database = config["storage"]["postgres"]["postgres_db"]
    for field, given in database.items():
        if isinstance(given, dict) and "env" in given:
            filled = connection[given["env"]]
            database[field] = int(filled) if field == "port" else filled
    target.write_text(yaml.safe_dump(config, sort_keys=False))


def main(n: int, profile: str = "embedded") -> int:
    import dagster as dg
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="microdrama-scale-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        database, upkeep = stack.enter_context(instance_profile(profile, home))
        from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData

        from assets.partitions import episode_partitions
        from assets.release import DATA_VERSION_TAG
        from definitions import build_defs
        from instance.archive import PARTITION_TAG, archive, due
        from instance.minting import Minter
        from microdrama.gallery import pages
        from microdrama.keys import EpisodeKey
        from microdrama.trends.feed import load_trend_feed
        from operations.render import open_instance, render
        from operations.resources import resources
        from resources.config import configured
        from sensors.cadence import pick_genre, release_cadence
        from sensors.retention import retention_sensor
        from sensors.templates import template_sensor
        from sensors.trends import trend_sensor

        defs = build_defs(
            configured(
                {
                    "MICRODRAMA_STORAGE": str(root / "storage"),
                    "MICRODRAMA_TEMPLATES": str(REPO / "templates"),
                    "MICRODRAMA_TRENDS": str(REPO / "data" / "trends.csv"),
                    "MICRODRAMA_LOCALES": "en",
                    **database,
                }
            )
        )
        started = time.perf_counter()
        # one real episode: its files are the stand-ins
        real = render(PROTOTYPE_GENRE, None, 1, location=defs, home=home)
        instance = open_instance(home)  # what the sensors and the UI see, as the daemon does
        # the benchmark's own writes go through a second instance holding pooled connections,
        # as the webserver's does, rather than opening a Postgres connection per statement
        minting = open_instance(home)
        minting.optimize_for_webserver(statement_timeout=15_000, pool_recycle=3600, max_overflow=20)
        names = ["catalog", "media", "templates", "trend_feed", "localization"]
        with resources(*names, location=defs) as built, sync_playwright() as playwright:
            books = built.catalog.catalog()
            store = books.store
            proto = store.episode_dir(EpisodeKey.parse(real["episode"]))
            minted_at = json.loads((proto / "premise" / "premise.json").read_text())["minted_at"]
            stand_ins = StandIns(proto, real["episode"], minted_at)
            template_hash = json.loads((proto / "premise" / "premise.json").read_text())[
                "template_hash"
            ]
            feed = load_trend_feed(Path(built.trend_feed.path))
            genres = [p.stem for p in (REPO / "templates").glob("*.yaml")]
            for genre in genres:
                defs.resolve_job_def("templates_job").execute_in_process(
                    instance=instance, partition_key=_add_genre(instance, genre)
                )
            hashes = _template_hashes(store, genres) | {PROTOTYPE_GENRE: template_hash}
            clock = [datetime.now(UTC)]

            def now() -> str:
                clock[0] += CADENCE
                return clock[0].isoformat(timespec="seconds")

            policy = built.catalog.retention_policy()
            locales = built.localization.locale_list()
            ui = built.catalog.dagster_url
            rng = random.Random(7)

            def realize(made: Release) -> str:
                """What running the episode would leave: its files, and a finished run of the
                episode job that materialized its premise (retention archives runs with keys)."""
                stand_ins.write(store.episode_dir(made.episode), made.key, made.minted_at)
                run = minting.add_run(
                    dg.DagsterRun(
                        job_name="episode_job",
                        run_id=str(uuid.uuid4()),
                        status=dg.DagsterRunStatus.SUCCESS,
                        tags={PARTITION_TAG: made.key},
                    )
                )
                premise = dg.AssetMaterialization(
                    "premise", partition=made.key, tags={DATA_VERSION_TAG: made.version}
                )
                minting.report_dagster_event(
                    DagsterEvent(
                        DagsterEventType.ASSET_MATERIALIZATION.value,
                        "episode_job",
                        event_specific_data=StepMaterializationData(premise),
                    ),
                    run.run_id,
                )
                return made.key

            def mint_one() -> str:
                minter = Minter(minting, books, now)
                genre = pick_genre(dict.fromkeys(genres, 1.0), rng)
                made = minter.pilot(genre, hashes[genre], "release cadence", feed)
                minting.add_dynamic_partitions(episode_partitions.name, [made.key])
                for event in minter.observations():
                    minting.report_runless_asset_event(event)
                return realize(made)

            def record(key: str) -> None:
                row = books.record(EpisodeKey.parse(key))
                pages.update(store, books.db, [row], locales, ui)

            unpaged: list[dict] = []

            def fill(key: str) -> None:
                """`record`, with the gallery pages of a hundred episodes rewritten at once: the
                same pages as a hundred single updates leave, at a hundredth of their cost."""
                unpaged.append(books.record(EpisodeKey.parse(key)))
                if len(unpaged) == 100:
                    pages.update(store, books.db, unpaged, locales, ui)
                    unpaged.clear()

            def retain() -> None:
                keys = due(minting, policy)
                if keys:
                    request = archive(minting, books, keys, locales, ui)
                    for key in request.partition_keys:
                        minting.delete_dynamic_partition(episode_partitions.name, key)

            server = _serve(store.root)
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            sensor_resources = {name: defs.resources[name] for name in names}
            cursors: dict[str, str | None] = {}

            def tick(sensor: dg.SensorDefinition) -> dg.SensorResult:
                with dg.build_sensor_context(
                    instance=instance, cursor=cursors.get(sensor.name), resources=sensor_resources
                ) as context:
                    result = sensor(context)
                cursors[sensor.name] = result.cursor
                return result

            for sensor in (template_sensor, trend_sensor):  # first ticks: cursors, no timing
                tick(sensor)
            figures: dict[int, dict] = {}
            checkpoints = sorted({max(1, n // 10), n})
            made = 1
            mint_seconds = 0.0
            for checkpoint in checkpoints:
                begun = time.perf_counter()
                while made < checkpoint:
                    fill(mint_one())
                    made += 1
                    if made % 100 == 0:
                        retain()
                    if made % VACUUM_EVERY == 0:
                        upkeep()
                pages.update(store, books.db, unpaged, locales, ui)
                unpaged.clear()
                retain()
                mint_seconds += time.perf_counter() - begun
                figures[checkpoint] = measure(
                    instance,
                    tick,
                    realize,
                    record,
                    browser,
                    server,
                    (template_sensor, trend_sensor, release_cadence, retention_sensor),
                )
                figures[checkpoint]["episodes"] = checkpoint
                print(json.dumps(figures[checkpoint]), flush=True)  # kept if a long run dies
                made += 1  # the cadence tick's episode
            browser.close()
            server.shutdown()
        total = time.perf_counter() - started
    return report(figures, checkpoints, total, mint_seconds, policy, profile)


def _add_genre(instance: object, genre: str) -> str:
    from assets.partitions import genre_partitions

    if not instance.has_dynamic_partition(genre_partitions.name, genre):  # type: ignore[attr-defined]
        instance.add_dynamic_partitions(genre_partitions.name, [genre])  # type: ignore[attr-defined]
    return genre


def _template_hashes(store: object, genres: list[str]) -> dict[str, str]:
    from microdrama.words.template_table import template_from_table

    out = {}
    for genre in genres:
        table = store.read_table(store.template_table(genre))  # type: ignore[attr-defined]
        out[genre] = template_from_table(table, genre)[1]
    return out


def _serve(root: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """A static server that says nothing, even when the browser drops a video it was fetching."""

    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()


def measure(instance, tick, realize, record, browser, server, sensors) -> dict:
    """Every figure at the current size; the cadence tick's episode is made as one more."""
    import dagster as dg
    from dagster._core.storage.partition_status_cache import (
        get_and_update_asset_status_cache_value,
    )

    from assets.partitions import episode_partitions

    out: dict[str, object] = {}
    keys = instance.get_dynamic_partitions(episode_partitions.name)
    made = instance.get_materialized_partitions(dg.AssetKey("premise"))
    out["partition_keys_per_asset"] = len(keys)
    out["empty_partition_keys"] = len(set(keys) - set(made))
    ticks = {}
    template, trend, cadence, retention = sensors
    for sensor in (template, trend, retention):  # unchanged inputs: what every tick costs
        ticks[sensor.name] = seconds(lambda s=sensor: tick(s))
    started = time.perf_counter()
    minted = tick(cadence)  # one real tick: it mints, as it does every 90 seconds
    ticks[cadence.name] = time.perf_counter() - started
    for request in minted.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    releases = []
    for event in minted.asset_events or []:
        instance.report_runless_asset_event(event)
        releases.append(Release(**event.metadata["release"].value))
    premise = dg.AssetKey("premise")
    turns = []
    for _ in range(3):  # the best of three, each rebuilt from nothing as after a new key
        instance.wipe_asset_cached_status([premise])
        started = time.perf_counter()
        get_and_update_asset_status_cache_value(instance, premise, episode_partitions)
        turns.append(time.perf_counter() - started)
    out["ui_partition_status_seconds"] = min(turns)
    out["sensor_tick_seconds"] = max(ticks.values())
    out["sensor_ticks"] = {k: round(v, 4) for k, v in ticks.items()}
    (key,) = [realize(made) for made in releases]
    out["catalog_update_seconds"] = seconds(lambda: record(key))  # recording again is the same work
    url = f"http://127.0.0.1:{server.server_address[1]}/gallery/index.html"
    paints = [first_paint(browser, url) for _ in range(3)]
    out["gallery_first_paint_seconds"] = min(p["fcp"] for p in paints)
    out["gallery_first_cards_seconds"] = min(p["cards"] for p in paints)
    out["gallery_cards_shown"] = paints[0]["shown"]
    out["gallery_videos_shown"] = paints[0]["videos"]
    return out


GROWN = (
    "partition_keys_per_asset",
    "empty_partition_keys",
    "sensor_tick_seconds",
    "catalog_update_seconds",
    "ui_partition_status_seconds",
    "gallery_first_paint_seconds",
    "gallery_first_cards_seconds",
)


def report(
    figures: dict[int, dict],
    checkpoints: list[int],
    total: float,
    mint: float,
    policy: object,
    profile: str,
) -> int:
    small, large = figures[checkpoints[0]], figures[checkpoints[-1]]
    growth = {
        name: round(large[name] / small[name], 2)
        if small[name]
        else (0.0 if not large[name] else None)
        for name in GROWN
    }
    print(f"{'figure':<32}{'at N/10':>14}{'at N':>14}{'growth':>10}")
    for name in GROWN:
        print(f"{name:<32}{small[name]:>14.4g}{large[name]:>14.4g}{growth[name]!s:>10}")
    print(
        f"instance: {profile}; retention: {policy}; minting took {mint:.0f}s; "
        f"the whole benchmark {total:.0f}s"
    )
    result = {
        "n": checkpoints[-1],
        "at_n_over_10": _rounded(small),
        "at_n": _rounded(large),
        "growth": growth,
        "retention": str(policy),
        "instance": profile,
        "minting_seconds": round(mint, 1),
        "total_seconds": round(total, 1),
    }
    print(json.dumps(result))
    return 0


def _rounded(figures: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
