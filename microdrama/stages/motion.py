"""The motion stage: a moving clip per shot, or the eased pan where there is none."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from microdrama.av.timing import ShotTiming
from microdrama.media import read_json, write_json
from microdrama.models.painter import prompt, seed
from microdrama.motion.animator import Animator, MotionJob
from microdrama.motion.gate import clip_gate
from microdrama.picture.compositor import VideoSettings
from microdrama.quality.gates import (
    GateFailure,
    gate,
    seal,
)
from microdrama.stages.episode import Episode, Staged, each
from microdrama.stages.voice import picture_timeline
from microdrama.words.template import GenreTemplate

CLIPS = "clips.json"  # motion/: per shot, its clip's file name or null (the eased pan), and why


def make_motion(
    batch: list[tuple[Episode, GenreTemplate]], settings: VideoSettings, animator: Animator | None
) -> list[Staged[list] | GateFailure]:
    """A moving clip per shot, held to the picture's timing, for every episode of a batch;
    without an animator (the embedded default) every shot keeps the eased pan.

    Every shot of every episode goes to the animator in one call, so a model moves them in
    batches. A clip that fails its gate is left out and its shot pans, noted in `notes`.
    """
    plans = [(ep, template, picture_timeline(ep, template)) for ep, template in batch]
    size = (settings.width, settings.height, settings.fps)
    jobs = [
        MotionJob(still, timing.duration, prompt(template, shot), seed(template, shot), *size)
        for ep, template, timings in plans
        for still, shot, timing in zip(ep.keyframes(), ep.script().shots, timings, strict=True)
    ]
    with tempfile.TemporaryDirectory(prefix=".motion.", dir=batch[0][0].store.root) as work:
        made = animator.animate(jobs, Path(work)) if animator and jobs else [None] * len(jobs)
        why = {n["shot"]: n["reason"] for n in animator.notes} if animator else {}
        screened = getattr(animator, "report", None) or [{}] * len(jobs)  # NSFW scores
        per_episode, first = [], 0
        for ep, _, timings in plans:
            shots = range(first, first + len(timings))
            takes = [(made[n], why.get(n, "embedded: the eased pan")) for n in shots]
            per_episode.append((ep, timings, takes, [screened[n] for n in shots]))
            first += len(timings)
        staged = each(per_episode, lambda item: _stage_motion(*item, settings))
    if animator is None:
        return staged
    return [
        s if isinstance(s, GateFailure) else replace(s, notes=_pan_notes(s.made)) for s in staged
    ]


def _stage_motion(
    ep: Episode,
    timings: list[ShotTiming],
    takes: list[tuple[Path | None, str]],
    screened: list[dict],
    settings: VideoSettings,
) -> Staged[list]:
    """One episode's clips (a clip, or why its shot pans) swapped in with their gate; each
    with its NSFW scores where a screen saw it."""
    with ep.store.staged(ep.dir("motion")) as tmp:
        clips, failing = [], []
        for shot, (timing, (clip, reason)) in enumerate(zip(timings, takes, strict=True)):
            nsfw = {"nsfw": screened[shot]["scores"]} if screened[shot].get("scores") else {}
            if clip is None:
                clips.append({"shot": shot, "file": None, "reason": reason, **nsfw})
                continue
            name = f"shot_{shot:02d}.mp4"
            shutil.copyfile(clip, tmp / name)
            clips.append({"shot": shot, "file": name, "seconds": timing.duration, **nsfw})
            kept = clip_gate(
                tmp / name, timing.duration, settings.width, settings.height, settings.fps
            )
            if not kept.passed:
                failing.append(f"shot {shot}: {kept.reason}")
        write_json(tmp / CLIPS, clips)
        moving = sum(c["file"] is not None for c in clips)
        ok = f"{moving} of {len(clips)} shots move, the rest pan"
        gates = seal("motion", [gate("clips", failing, ok, moving=moving)], tmp)
    return Staged(clips, ep.store.read_manifest(ep.dir("motion")), gates)


def _pan_notes(clips: list[dict]) -> dict[str, object]:
    """How many shots a model left to the eased pan, and why, for the asset's metadata."""
    panned = [c for c in clips if c["file"] is None]
    reasons = "; ".join(f"shot {c['shot']}: {c['reason']}" for c in panned)
    return {"pan_fallbacks": len(panned), "pan_reasons": reasons or "none"}


def motion_clips(ep: Episode) -> list[Path | None]:
    """Each shot's motion clip, or None where the shot pans its still."""
    folder = ep.fetch("motion")
    return [folder / c["file"] if c["file"] else None for c in read_json(folder / CLIPS)]
