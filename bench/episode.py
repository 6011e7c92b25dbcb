"""Time one 60-second, 12-shot episode with three localized variants, stage by stage.

Runs the same domain functions the Dagster assets call, on the embedded defaults, in a
temporary media root, and prints a table and then one JSON object as its last line.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from microdrama import episode as stages
from microdrama.compositor import VideoSettings
from microdrama.episode import Episode
from microdrama.media import MediaStore
from microdrama.template import load_template
from microdrama.trends import load_trend_feed

REPO = Path(__file__).resolve().parent.parent
GENRE = "revenge"
LOCALES = ["en", "es", "pt-BR", "zh-CN"]


def timed(log: dict[str, float], name: str, work: Callable[[], object]) -> object:
    started = time.perf_counter()
    value = work()
    log[name] = round(time.perf_counter() - started, 2)
    return value


def run_episode(root: Path, seed: int = 1) -> tuple[dict[str, float], float]:
    """Render the benchmark episode under `root`; return stage seconds and video length."""
    loaded = load_template(REPO / "templates" / f"{GENRE}.yaml")
    template, settings = loaded.template, VideoSettings()
    trends = load_trend_feed(REPO / "data" / "trends.csv")
    ep = Episode(MediaStore(root), GENRE, "e0001")
    log: dict[str, float] = {}
    timed(
        log, "premise", lambda: stages.make_premise(ep, template, loaded.content_hash, trends, seed)
    )
    timed(log, "script", lambda: stages.make_script(ep, template))
    timed(log, "frames", lambda: stages.make_frames(ep, template, settings))
    timed(log, "voice", lambda: stages.make_voice(ep, template))
    timeline, _ = timed(log, "cut", lambda: stages.make_cut(ep, template, settings))
    timed(
        log,
        "localized",
        lambda: stages.make_localized(
            ep, template, LOCALES, REPO / "templates" / "phrasebook", settings
        ),
    )
    return log, timeline["seconds"]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="microdrama-bench-") as tmp:
        log, video_seconds = run_episode(Path(tmp))
    total = round(sum(log.values()), 2)
    print(f"{'stage':<12}{'seconds':>10}")
    for stage, seconds in log.items():
        print(f"{stage:<12}{seconds:>10.2f}")
    print(
        f"{'episode':<12}{total:>10.2f}   ({video_seconds:.0f}s video, "
        f"{len(LOCALES) - 1} localized variants)"
    )
    print(
        json.dumps(
            {
                "episode_seconds": total,
                "stages": log,
                "video_seconds": video_seconds,
                "locales": LOCALES,
                "target_seconds": 90,
            }
        )
    )
    return 0
