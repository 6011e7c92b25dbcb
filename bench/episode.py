"""Time one 60-second, 12-shot episode with three localized variants, stage by stage.

Runs the same domain functions the Dagster assets call, on the embedded defaults, in a
temporary media root, then puts each figure against a reference measured in the same run:
ffmpeg alone encoding the finished cut's frames (the encoder's limit), timed in turns with the
cut stage, and the same episode rendered through Dagster in-process. Peak memory is sampled in
a render of its own, so the sampler's cost is in none of the timings. Prints a table, then one
JSON object as its last line.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psutil

from bench.moviepy_cut import moviepy_cut_seconds
from microdrama import episode as stages
from microdrama.catalog.rows import episode_row
from microdrama.compositor import VideoSettings
from microdrama.episode import Episode
from microdrama.ffmpeg import run_ffmpeg
from microdrama.fonts import font_for
from microdrama.keys import EpisodeKey
from microdrama.localize import NeuralTranslator
from microdrama.media import MediaStore
from microdrama.policy import ContentPolicy
from microdrama.release import Release
from microdrama.storyboard import StoryboardPainter, backdrop, shot_backdrop
from microdrama.template import GenreTemplate, load_template
from microdrama.trends import load_trend_feed
from microdrama.voice import Espeak, Speaker

REPO = Path(__file__).resolve().parent.parent
GENRE = "revenge"
LOCALES = ["en", "es", "pt-BR", "zh-CN"]
SEED = 1
KEY = EpisodeKey(GENRE, 1, 1)
RELEASE = Release(str(KEY), SEED, None, "2026-12-01T00:00:00+00:00", "bench")


class PeakMemory:
    """Peak resident memory of this process and all its children, sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue  # a child that just exited
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(log: dict[str, float], name: str, work: Callable[[], object]) -> object:
    started = time.perf_counter()
    value = work()
    log[name] = round(time.perf_counter() - started, 2)
    return value


def paired_ratio(ours: list[float], reference: list[float]) -> float:
    """The median of turn-by-turn ratios. Each pair ran back to back, so it shares the spell
    of speed these shared machines are in (the same encode takes 6 s or 9 s an hour apart)."""
    return statistics.median(o / r for o, r in zip(ours, reference, strict=True))


def timed_seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def cold_caches() -> None:
    """Forget in-process caches so each measured render starts equally cold."""
    for cache in (backdrop, shot_backdrop, font_for):
        cache.cache_clear()


def make_variants(
    ep: Episode,
    template: GenreTemplate,
    policy: ContentPolicy,
    settings: VideoSettings,
    speaker: Speaker,
    translator: Callable[[str], NeuralTranslator | None],
) -> stages.Staged:
    """The localized stage as the benchmarks run it: every LOCALES variant, shipped phrasebooks."""
    phrasebooks = REPO / "templates" / "phrasebook"
    return stages.make_localized(
        ep, template, LOCALES, phrasebooks, policy, settings, speaker, translator
    )


def run_episode(root: Path) -> dict[str, float]:
    """Render the benchmark episode under `root` by direct calls; return seconds per stage."""
    cold_caches()
    log: dict[str, float] = {}
    loaded, trends = timed(
        log,
        "inputs",
        lambda: (
            load_template(REPO / "templates" / f"{GENRE}.yaml"),
            load_trend_feed(REPO / "data" / "trends.csv"),
        ),
    )
    template, settings = loaded.template, VideoSettings()
    policy = ContentPolicy.load(REPO / "templates" / "policy")
    ep = Episode(MediaStore(root), KEY)
    timed(
        log,
        "premise",
        lambda: stages.make_premise(ep, template, loaded.content_hash, trends, RELEASE, policy),
    )
    timed(log, "script", lambda: stages.make_script(ep, template, policy))
    timed(
        log, "frames", lambda: stages.make_frames([(ep, template)], settings, StoryboardPainter())
    )
    timed(log, "voice", lambda: stages.make_voice(ep, template, Espeak()))
    timed(log, "cut", lambda: stages.make_cut(ep, template, settings))
    timed(
        log,
        "localized",
        lambda: make_variants(ep, template, policy, settings, Espeak(), lambda locale: None),
    )
    timed(log, "catalog", lambda: episode_row(ep))
    return log


CUT_ROUNDS = 5


def cut_and_raw_encode(root: Path, rounds: int = CUT_ROUNDS) -> tuple[list[float], list[float]]:
    """The cut stage again and ffmpeg alone encoding its frames, taking turns `rounds` times.

    The reference is the encoder's limit: the very frames the cut encodes (rendered once
    without loss, x264 at CRF 0, and decoded: bit for bit the compositor's output), at the
    same size, rate and x264 settings, read from a raw file that the page cache holds, so the
    timed run only reads and encodes, as an encoder fed at no cost would. Taking turns puts
    each pair under the same spell of the machine's speed (see `paired_ratio`).
    """
    settings = VideoSettings()
    template = load_template(REPO / "templates" / f"{GENRE}.yaml").template
    ep = Episode(MediaStore(root), KEY)
    raw = root / "frames.yuv"
    stages.make_cut(ep, template, replace(settings, crf=0))
    decoded = ["-i", str(ep.dir("cut") / "episode.mp4"), "-an", "-f", "rawvideo"]
    run_ffmpeg([*decoded, "-pix_fmt", "yuv420p", str(raw)])
    encode = [
        *("-f", "rawvideo", "-pix_fmt", "yuv420p"),
        *("-s", f"{settings.width}x{settings.height}", "-r", str(settings.fps)),
        *("-i", str(raw), *settings.x264_args(), "-f", "null", "-"),
    ]
    cuts, encodes = [], []
    for _ in range(rounds):
        cold_caches()
        cuts.append(timed_seconds(lambda: stages.make_cut(ep, template, settings)))
        encodes.append(timed_seconds(lambda: run_ffmpeg(encode)))
    raw.unlink()
    return cuts, encodes


def dagster_seconds(root: Path) -> tuple[float, float]:
    """The same episode through `microdrama render` (in-process Dagster, SQLite instance).

    Returns (setup, render) seconds. Setup is timed apart, as the direct calls' imports are not
    timed either: importing Dagster and the definitions (a process's one-off cost, so nothing
    the second time) and creating a new DAGSTER_HOME's SQLite storage (a home's one-off cost).
    """
    import dagster as dg

    from operations.render import ensure_dagster_home, render

    (root / "home").mkdir(parents=True)
    os.environ.update(
        {
            "DAGSTER_HOME": str(root / "home"),
            "MICRODRAMA_STORAGE": str(root / "storage"),
            "MICRODRAMA_TEMPLATES": str(REPO / "templates"),
            "MICRODRAMA_TRENDS": str(REPO / "data" / "trends.csv"),
            "MICRODRAMA_LOCALES": ",".join(LOCALES),
        }
    )
    started = time.perf_counter()
    import definitions  # noqa: F401  (Dagster and every asset module with it)

    ensure_dagster_home()  # the repo's dagster.yaml, as `render` links it
    with dg.DagsterInstance.get():  # creates the home's run, event and schedule storage
        pass
    setup = time.perf_counter() - started
    cold_caches()
    started = time.perf_counter()
    render(None, str(KEY), SEED)
    return setup, time.perf_counter() - started


EPISODE_TURNS = 3
BACKFILL_EPISODES = 4


def backfill_episodes_per_hour(root: Path) -> dict[str, float]:
    """A genre backfill of BACKFILL_EPISODES source-locale episodes through Dagster, one run per
    partition versus one batched run (the episode assets' BackfillPolicy), on one instance.

    The backends are whatever the MICRODRAMA_* variables choose, so on a GPU box with model
    backends this shows what loading each model once per batch saves.
    """
    import dagster as dg

    from assets.partitions import episode_partitions, genre_partitions
    from definitions import defs

    (root / "home").mkdir(parents=True)
    os.environ.update(
        {
            "DAGSTER_HOME": str(root / "home"),
            "MICRODRAMA_STORAGE": str(root / "storage"),
            "MICRODRAMA_LOCALES": LOCALES[0],
        }
    )
    instance = dg.DagsterInstance.get()
    slots = [str(EpisodeKey(GENRE, n, 1)) for n in range(1, 2 * BACKFILL_EPISODES + 1)]
    instance.add_dynamic_partitions(genre_partitions.name, [GENRE])
    instance.add_dynamic_partitions(episode_partitions.name, slots)

    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

    def run(job: str, **how: object) -> None:
        defs.resolve_job_def(job).execute_in_process(instance=instance, run_config=quiet, **how)

    run("templates_job", partition_key=GENRE)
    run("trends_job")
    cold_caches()
    started = time.perf_counter()
    for slot in slots[:BACKFILL_EPISODES]:
        run("episode_job", partition_key=slot)
    one_by_one = time.perf_counter() - started
    cold_caches()
    started = time.perf_counter()
    run(
        "episode_job",
        tags={
            "dagster/asset_partition_range_start": slots[BACKFILL_EPISODES],
            "dagster/asset_partition_range_end": slots[-1],
        },
    )
    batched = time.perf_counter() - started
    return {
        "batched": round(3600 * BACKFILL_EPISODES / batched, 1),
        "per_partition": round(3600 * BACKFILL_EPISODES / one_by_one, 1),
        "batched_vs_per_partition": round(one_by_one / batched, 3),
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="microdrama-bench-") as tmp:
        root = Path(tmp)
        with PeakMemory() as memory:  # a render of its own: sampling must not slow the timed one
            run_episode(root / "sampled")
        # direct calls and Dagster take turns, as the cut and its reference do
        logs, setups, through = [], [], []
        for turn in range(EPISODE_TURNS):
            logs.append(run_episode(root / f"direct{turn}"))
            setup, seconds = dagster_seconds(root / f"dagster{turn}")
            setups.append(setup)
            through.append(seconds)
        cuts, encodes = cut_and_raw_encode(root / "direct0")
        moviepy = moviepy_cut_seconds(
            Episode(MediaStore(root / "direct0"), KEY), VideoSettings(), root / "mp.mp4"
        )
        backfill = backfill_episodes_per_hour(root / "backfill")
    directs = [sum(turn.values()) for turn in logs]
    log, total = logs[directs.index(min(directs))], round(min(directs), 2)  # the best turn
    through_dagster = min(through)
    figures = {
        "episode_seconds": total,
        "stages": log,
        "cut_vs_raw_encode": round(paired_ratio(cuts, encodes), 2),
        "cut_rounds_seconds": [round(t, 2) for t in cuts],
        "raw_encode_rounds_seconds": [round(t, 2) for t in encodes],
        "cut_vs_moviepy": round(moviepy / min(cuts), 2),  # the cut's turns ran just before
        "moviepy_cut_seconds": round(moviepy, 2),
        "dagster_seconds": round(through_dagster, 2),
        "episode_turns_seconds": {
            "direct": [round(t, 2) for t in directs],
            "dagster": [round(t, 2) for t in through],
        },
        "dagster_overhead": round(paired_ratio(through, directs), 3),
        "dagster_setup_seconds": [round(t, 2) for t in setups],
        "backfill_episodes_per_hour": backfill,
        "peak_rss_mb": round(memory.peak / 2**20),
        "locales": LOCALES,
    }
    print(f"{'stage':<12}{'seconds':>10}")
    for stage, seconds in log.items():
        print(f"{stage:<12}{seconds:>10.2f}")
    print(
        f"{'episode':<12}{total:>10.2f}   (60s video, {len(LOCALES) - 1} localized variants; "
        f"best of {EPISODE_TURNS} turns)"
    )
    print(
        f"cut / ffmpeg-alone encode of the same frames: {figures['cut_vs_raw_encode']} "
        f"(median of {len(cuts)} turns; best {min(cuts):.2f}s / {min(encodes):.2f}s)"
    )
    print(f"moviepy making the same cut / ours: {figures['cut_vs_moviepy']}")
    print(
        f"through Dagster: {through_dagster:.2f}s at best ({figures['dagster_overhead']}x direct, "
        f"median of {EPISODE_TURNS} turns), after {setups[0]:.2f}s importing Dagster and the "
        f"definitions and creating the instance ({setups[-1]:.2f}s the instance alone)"
    )
    print(
        f"backfill of {BACKFILL_EPISODES} episodes ({LOCALES[0]} only), episodes per hour: "
        f"{backfill['batched']} batched, {backfill['per_partition']} one run per partition"
    )
    print(f"peak resident memory, process tree: {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))
    return 0
