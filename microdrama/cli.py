"""The `microdrama` command: render, validate and bench.

`render` drives the Dagster code location in-process, so the command line and the UI share
one instance, one asset graph and one history. Dagster is imported only by the commands that
need it; the rest of this package never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from microdrama.keys import UnsafeKeyError, check_key, next_episode
from microdrama.template import load_templates

REPO = Path(__file__).resolve().parent.parent


def ensure_dagster_home() -> Path:
    """Use $DAGSTER_HOME, or a .dagster_home beside the repo that links the repo's dagster.yaml."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() and (REPO / "dagster.yaml").exists():
        config.symlink_to(REPO / "dagster.yaml")
    return home


def render(genre: str, episode: str | None, seed: int | None) -> dict:
    """Materialize the genre's template, the trends, one episode and the catalog; return paths."""
    import dagster as dg

    from assets.partitions import episode_partition_key, episode_slots, genre_partitions
    from definitions import defs
    from microdrama.episode import Episode, variant_paths
    from resources.config import MediaStoreResource, setting

    started = time.perf_counter()
    check_key("genre", genre)
    if episode is not None:
        check_key("episode", episode)
    ensure_dagster_home()
    instance = dg.DagsterInstance.get()
    if episode is None:
        episode = next_episode(instance.get_dynamic_partitions(episode_slots.name))
    for definition, key in ((genre_partitions, genre), (episode_slots, episode)):
        if not instance.has_dynamic_partition(definition.name, key):
            instance.add_dynamic_partitions(definition.name, [key])
    quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    run_config = {**quiet, "ops": {"premise": {"config": {"seed": seed}}}}
    runs = [
        ("templates_job", quiet, genre),
        ("trends_job", quiet, None),
        ("episode_job", run_config, episode_partition_key(genre, episode)),
        ("catalog_job", quiet, None),
    ]
    for job_name, config, partition in runs:
        job = defs.resolve_job_def(job_name)
        outcome = job.execute_in_process(
            instance=instance, run_config=config, partition_key=partition, raise_on_error=False
        )
        if not outcome.success:
            failure = next((e for e in outcome.all_events if e.is_failure), None)
            message = (
                failure.event_specific_data.error.message
                if failure and getattr(failure.event_specific_data, "error", None)
                else "see the run in the Dagster UI"
            )
            raise RuntimeError(f"{job_name} failed for {episode}|{genre}: {message.strip()}")
    store = MediaStoreResource(
        root=setting("MICRODRAMA_STORAGE").get_value(),
        cache=setting("MICRODRAMA_CACHE").get_value(),
    ).store()
    ep = Episode(store, genre, episode)
    summary = json.loads((ep.fetch("localized") / "summary.json").read_text())
    paths = variant_paths(ep, ["en", *summary])
    return {
        "genre": genre,
        "episode": episode,
        "cut": paths["en"]["video"],
        "variants": {loc: p["video"] for loc, p in paths.items()},
        "subtitles": {loc: p["subtitles"] for loc, p in paths.items()},
        "catalog": str(store.table_path("catalog")),
        "gallery": str(store.root / "gallery" / "index.html"),
        "seconds": round(time.perf_counter() - started, 1),
    }


def validate(directory: Path) -> int:
    try:
        loaded, errors = load_templates(directory)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    for error in errors:
        for problem in error.problems:
            print(f"{error.path}: {problem}")
    print(f"{len(loaded)} valid, {len(errors)} invalid template(s) in {directory}", file=sys.stderr)
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="microdrama", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p_render = commands.add_parser("render", help="render one episode through Dagster")
    p_render.add_argument("--genre", required=True)
    p_render.add_argument("--episode", help="episode slot, e.g. e0001 (default: the next one)")
    p_render.add_argument("--seed", type=int, help="story seed (default: derived from the key)")
    p_validate = commands.add_parser("validate", help="check every genre template")
    p_validate.add_argument(
        "--templates",
        type=Path,
        default=Path(os.environ.get("MICRODRAMA_TEMPLATES", REPO / "templates")),
    )
    p_bench = commands.add_parser("bench", help="time one 60-second episode with three locales")
    p_bench.add_argument(
        "--models",
        action="store_true",
        help="instead: seconds per episode in each model backend (MICRODRAMA_* choose them)",
    )
    p_bench.add_argument("--episodes", type=int, default=4, help="episodes for --models")
    p_backfill = commands.add_parser("backfill", help="backfill a genre through the webserver")
    p_backfill.add_argument("--genre", required=True)
    amount = p_backfill.add_mutually_exclusive_group(required=True)
    amount.add_argument("--episodes", type=int, help="the first N episode slots (added if new)")
    amount.add_argument("--all", action="store_true", help="every existing episode slot")
    p_backfill.add_argument("--url", default="http://127.0.0.1:3000")
    args = parser.parse_args(argv)

    if args.command == "validate":
        return validate(args.templates)
    if args.command == "backfill":
        from microdrama.backfill import BackfillError, launch_genre_backfill

        try:
            backfill_id, partitions = launch_genre_backfill(args.url, args.genre, args.episodes)
        except (BackfillError, UnsafeKeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(
            f"launched backfill of {len(partitions)} episode(s): {', '.join(partitions)}",
            file=sys.stderr,
        )
        print(backfill_id)
        return 0
    if args.command == "bench" and args.models:
        from bench.models import main as models_main

        return models_main(args.episodes)
    if args.command == "bench":
        from bench.episode import main as bench_main

        return bench_main()
    try:
        outcome = render(args.genre, args.episode, args.seed)
    except (UnsafeKeyError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"Rendered {outcome['episode']}|{outcome['genre']} in {outcome['seconds']}s; "
        f"open the lineage with `make dev` (http://127.0.0.1:3000)",
        file=sys.stderr,
    )
    print(json.dumps(outcome, ensure_ascii=False))
    return 0
