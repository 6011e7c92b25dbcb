"""The model backends' benchmark: warm seconds per finished episode per modality, loads apart.

Runs `--episodes` 60-second `revenge` episodes with three localized variants through the
domain stages, on the backends the MICRODRAMA_* variables choose (so on a GPU box, e.g.
MICRODRAMA_PAINTER=diffusers MICRODRAMA_PAINTER_MODEL=stabilityai/sd-turbo). Every call into a
backend is timed, with the GPU synchronized before and after, so the figures are the seconds the
device spent on each modality; model loads are timed by the model cache and reported apart.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.episode import GENRE, LOCALES, REPO, dub
from microdrama import stages
from microdrama.backends import Backends
from microdrama.keys import EpisodeKey
from microdrama.media import MediaStore
from microdrama.models.device import MODELS
from microdrama.music.moods import MOODS_FILE, load_moods
from microdrama.picture.compositor import VideoSettings
from microdrama.quality.gates import GateFailure
from microdrama.release import Release
from microdrama.trends.feed import load_trend_feed
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.template import load_template

GOAL_SECONDS = 10.0  # warm GPU-seconds per finished episode


def configured_backends() -> Backends:
    """The backends exactly as the Dagster resource reads them from the environment."""
    from resources.config import model_backends

    with model_backends().process_config_and_initialize_cm() as resource:
        return resource.backends()


def synchronize() -> None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.synchronize()


class Stopwatch:
    """Seconds spent inside each modality's backend calls."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()

    def wrap(self, modality: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            synchronize()
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                synchronize()
                self.seconds[modality] += time.perf_counter() - started

        return timed


def render(root: Path, episodes: int, backends: Backends, watch: Stopwatch) -> list[str]:
    """Render the episodes; return why any was refused by its gates."""
    loaded = load_template(REPO / "templates" / f"{GENRE}.yaml")
    template, settings = loaded.template, VideoSettings()
    trends = load_trend_feed(REPO / "data" / "trends.csv")
    policy = ContentPolicy.load(REPO / "templates" / "policy")
    store = MediaStore(root)
    batch = [
        (stages.Episode(store, EpisodeKey(GENRE, n, 1)), template) for n in range(1, episodes + 1)
    ]
    writer = backends.make_writer()
    if writer is not None:
        writer = watch.wrap("writer", writer)
    painter, speaker = backends.make_painter(), backends.make_voice()
    painter.paint = watch.wrap("painter", painter.paint)  # type: ignore[method-assign]
    speaker.synthesize = watch.wrap("voice", speaker.synthesize)  # type: ignore[method-assign]

    def translator(locale: str) -> Callable | None:
        neural = backends.make_translator(locale)
        if neural is None:
            return None

        def timed(fallback: Any) -> Any:
            machine = neural(fallback)
            machine.translate = watch.wrap("translator", machine.translate)
            return machine

        return timed

    refused = []
    for n, (ep, _) in enumerate(batch, 1):
        made = Release(str(ep.key), n, None, "2026-12-01T00:00:00+00:00", "bench")
        stages.make_premise(ep, template, loaded.content_hash, trends, made, policy, writer)
        stages.make_script(ep, template, policy, writer)
    painted = stages.make_frames(batch, settings, painter)
    dubbed = []
    for (ep, _), frames in zip(batch, painted, strict=True):
        try:
            if isinstance(frames, GateFailure):
                raise frames
            dub(ep, template, policy, speaker, translator)
            dubbed.append((ep, template))
        except GateFailure as failure:
            refused.append(f"{ep.key}: {failure}")
    animator, composer = backends.make_animator(), backends.make_composer()
    if animator is not None:
        animator.animate = watch.wrap("motion", animator.animate)  # type: ignore[method-assign]
    composer.score = watch.wrap("music", composer.score)  # type: ignore[method-assign]
    moods = load_moods(REPO / "templates" / MOODS_FILE)
    moved = stages.make_motion(dubbed, settings, animator) if dubbed else []
    pictured = []
    for (ep, _), made in zip(dubbed, moved, strict=True):
        try:
            if isinstance(made, GateFailure):
                raise made
            stages.make_cut(ep, template, settings)
            pictured.append(ep)
        except GateFailure as failure:
            refused.append(f"{ep.key}: {failure}")
    scores = stages.make_music(pictured, settings, composer, moods) if pictured else []
    for ep, scored in zip(pictured, scores, strict=True):
        try:
            if isinstance(scored, GateFailure):
                raise scored
            stages.make_localized(ep, template, settings, LOCALES[:1])
        except GateFailure as failure:
            refused.append(f"{ep.key}: {failure}")
    return refused


def main(episodes: int = 4) -> int:
    backends = configured_backends()
    watch = Stopwatch()
    MODELS.release()
    MODELS.load_seconds.clear()
    with tempfile.TemporaryDirectory(prefix="microdrama-models-") as tmp:
        started = time.perf_counter()
        refused = render(Path(tmp), episodes, backends, watch)
        wall = time.perf_counter() - started
    loads: Counter[str] = Counter()
    for key, seconds in MODELS.load_seconds.items():
        loads[key[0]] += seconds
    modalities = backends.summary()
    rows = {
        m: {
            "backend": modalities[m],
            "load_seconds": round(loads[m], 2),
            "warm_seconds_per_episode": round(max(watch.seconds[m] - loads[m], 0.0) / episodes, 3),
        }
        for m in modalities
    }
    per_episode = round(sum(r["warm_seconds_per_episode"] for r in rows.values()), 3)
    torch = sys.modules.get("torch")
    device = (
        torch.cuda.get_device_name()
        if torch is not None and torch.cuda.is_available()
        else "cpu (no GPU)"
    )
    print(f"{episodes} episodes, {len(LOCALES) - 1} localized variants each, on {device}")
    print(f"{'modality':<12}{'backend':<44}{'load s':>8}{'warm s/episode':>16}")
    for m, r in rows.items():
        print(
            f"{m:<12}{r['backend'][:43]:<44}{r['load_seconds']:>8.2f}"
            f"{r['warm_seconds_per_episode']:>16.3f}"
        )
    for reason in refused:
        print(f"refused by its gates: {reason}")
    print(f"model seconds per episode: {per_episode} (goal {GOAL_SECONDS} or less)")
    figures = {
        "device": device,
        "episodes": episodes,
        "modalities": rows,
        "model_seconds_per_episode": per_episode,
        "refused": len(refused),
        "wall_seconds": round(wall, 1),
    }
    print(json.dumps(figures))
    return 0
