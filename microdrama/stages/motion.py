"""The motion stage: a moving clip per shot, or the eased pan where there is none."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from microdrama.av.timing import HOLD, ShotTiming, place_lines
from microdrama.media import read_json, write_json
from microdrama.models.painter import prompt, seed
from microdrama.motion.animator import Animator, MotionJob
from microdrama.motion.comic import (
    RAW_PIXELS,
    RIG,
    ShotRig,
    Spoken,
    episode_raw,
    load_rig,
    rig_episode,
    save_rig,
    zoom_filter,
)
from microdrama.motion.gate import clip_gate, frozen_gate, mouth_gate
from microdrama.picture.compositor import Frames, VideoSettings, shot_frame_counts
from microdrama.quality.gates import (
    Gate,
    GateFailure,
    gate,
    seal,
)
from microdrama.stages.episode import Episode, Staged, each
from microdrama.stages.voice import dubbed_lines, picture_timeline
from microdrama.words.template import SOURCE_LOCALE, GenreTemplate

CLIPS = "clips.json"  # motion/: per shot, its clip's file name or null (the eased pan), and why


def make_motion(
    batch: list[tuple[Episode, GenreTemplate]],
    settings: VideoSettings,
    animator: Animator | None,
    comic: bool = True,
) -> list[Staged[list] | GateFailure]:
    """A moving clip per shot, held to the picture's timing, for every episode of a batch;
    without an animator (the embedded default) the shots are rigged as a motion comic
    (`comic`; its frames are composed by the cut), or, without that too, keep the eased pan.

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
            rigged = comic and animator is None
            default = "embedded: the motion comic" if rigged else "embedded: the eased pan"
            takes = [(made[n], why.get(n, default)) for n in shots]
            per_episode.append((ep, timings, takes, [screened[n] for n in shots]))
            first += len(timings)
        templates = {ep.key: template for ep, template in batch}
        staged = each(
            per_episode,
            lambda item: _stage_motion(
                *item, settings, templates[item[0].key] if comic and animator is None else None
            ),
        )
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
    comic_of: GenreTemplate | None = None,
) -> Staged[list]:
    """One episode's clips (a clip, or why its shot pans) swapped in with their gate; each
    with its NSFW scores where a screen saw it. With `comic_of` (the episode's template), the
    shots are rigged as a motion comic into COMIC, with the gate that mouths move only while
    their speaker has a line."""
    with ep.store.staged(ep.dir("motion")) as tmp:
        comic_gates = []
        if comic_of is not None:
            rigs, spoken = rig_comic(ep, comic_of, timings, settings)
            save_rig(rigs, tmp / COMIC)
            comic_gates.append(mouth_gate(rigs, spoken))
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
        if comic_gates:
            ok = f"{len(clips)} shots rigged as a motion comic"
        no_comic = gate("mouths", [], "no motion comic: no mouths to move")
        found = [gate("clips", failing, ok, moving=moving), *(comic_gates or [no_comic])]
        gates = seal("motion", found, tmp)
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


COMIC = "comic"  # motion/: the motion comic's rig (the embedded default's moving picture)


def rig_comic(
    ep: Episode, template: GenreTemplate, timings: list[ShotTiming], settings: VideoSettings
) -> tuple[list[ShotRig], list[Spoken]]:
    """The episode's shots rigged as a motion comic on the picture's frames, with mouths
    driven by the source locale's dub as the mix places it (`place_lines`); and those lines."""
    script = ep.script()
    fps = settings.fps
    counts = shot_frame_counts(timings, fps)
    lines = dubbed_lines(ep, SOURCE_LOCALE)
    takes = iter([line["seconds"] for line in lines])
    starts, _ = place_lines(timings, [[next(takes) for _ in shot.lines] for shot in script.shots])
    folder = ep.fetch("voice") / SOURCE_LOCALE
    spoken = [
        Spoken(line["speaker"], round(start * fps), folder / line["file"])
        for line, start in zip(lines, starts, strict=True)
    ]
    seed = f"{ep.key}|{script.seed}"
    rigs = rig_episode(
        template, script.shots, counts, spoken, seed, settings.width, settings.height, fps
    )
    return rigs, spoken


def comic_frames(ep: Episode) -> Frames | None:
    """The motion comic's frames for the cut and each burned-in variant, composed as ffmpeg
    reads them; None where the motion stage left the shots clips or the eased pan."""
    folder = ep.fetch("motion")
    if not (folder / COMIC / RIG).exists():
        return None
    if any(c["file"] for c in read_json(folder / CLIPS)):
        return None
    rigs = load_rig(folder / COMIC)
    return Frames(episode_raw(rigs), RAW_PIXELS, zoom_filter(rigs))


def picture_moves(video: Path, timings: list[ShotTiming], settings: VideoSettings) -> Gate:
    """The delivered picture's `moving` gate: no shot holds one frame for longer than the
    timeline's closing hold (decoded from `video`, a rung of the ladder)."""
    counts = shot_frame_counts(timings, settings.fps)
    return frozen_gate(video, counts, settings.fps, HOLD)
