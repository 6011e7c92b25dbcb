"""The frames stage: one keyframe per shot and a contact sheet."""

from __future__ import annotations

from pathlib import Path

from microdrama.media import read_json, write_json
from microdrama.picture.compositor import VideoSettings
from microdrama.picture.storyboard import Painter, contact_sheet
from microdrama.provenance.screening import screening_summary
from microdrama.quality.gates import (
    GateFailure,
    frames_gates,
    seal,
)
from microdrama.stages.episode import Episode, Staged, each
from microdrama.words.story import Script
from microdrama.words.template import GenreTemplate

SCREENING = "screening.json"  # frames/: per shot, its NSFW scores and what became of it


def make_frames(
    batch: list[tuple[Episode, GenreTemplate]], settings: VideoSettings, painter: Painter
) -> list[Staged[Path] | GateFailure]:
    """One keyframe per shot plus a contact sheet (the made path) for every episode of a batch.

    Every shot of every episode goes to the painter in one call, so a model paints them in
    batches; each episode's frames are then gated and swapped in on their own.
    """
    scripts = [ep.script() for ep, _ in batch]
    jobs = [
        (template, shot)
        for (_, template), script in zip(batch, scripts, strict=True)
        for shot in script.shots
    ]
    images, fell_back = painter.paint(jobs, settings.width, settings.height)
    # a screened model painter's scores per shot (the embedded painter is not screened)
    screened = iter(getattr(painter, "report", None) or [None] * len(jobs))
    painted = iter(zip(images, fell_back, strict=True))
    per_episode = [[next(painted) for _ in script.shots] for script in scripts]
    reports = [[next(screened) for _ in script.shots] for script in scripts]

    def stage(item: tuple[tuple[Episode, GenreTemplate], Script, list, list]) -> Staged[Path]:
        (ep, _), script, frames, report = item
        with ep.store.staged(ep.dir("frames")) as tmp:
            if any(report):
                write_json(tmp / SCREENING, [{"shot": n, **r} for n, r in enumerate(report)])
            for shot, (image, _) in zip(script.shots, frames, strict=True):
                # the fastest zlib level: a keyframe is read once, by the cut's ffmpeg
                image.save(tmp / f"shot_{shot.index:02d}.png", compress_level=1)
            contact_sheet([image for image, _ in frames]).save(
                tmp / "contact_sheet.jpg", quality=80
            )
            keyframes = sorted(tmp.glob("shot_*.png"))
            found = frames_gates(keyframes, len(script.shots), settings.width, settings.height)
            gates = seal("frames", found, tmp)
        notes = {"storyboard_fallbacks": sum(flag for _, flag in frames)} if painter.neural else {}
        return Staged(
            ep.dir("frames") / "contact_sheet.jpg",
            ep.store.read_manifest(ep.dir("frames")),
            gates,
            notes,
        )

    return each(list(zip(batch, scripts, per_episode, reports, strict=True)), stage)


def screening_of(ep: Episode) -> dict[str, float | int]:
    """The NSFW screen's figures for an episode's keyframes (none where a model did not paint
    them): how many were screened, repainted, left to the storyboard, and the top score."""
    path = ep.dir("frames") / SCREENING
    return screening_summary(read_json(path)) if path.exists() else {}
