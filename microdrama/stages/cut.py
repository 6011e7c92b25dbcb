"""The cut stage: the caption-free picture on the shared timeline, encoded once."""

from __future__ import annotations

from microdrama.media import write_json
from microdrama.picture.compositor import VideoSettings
from microdrama.quality.gates import (
    seal,
)
from microdrama.stages.episode import Episode, Staged
from microdrama.stages.motion import motion_clips
from microdrama.stages.voice import picture_timeline, voiced
from microdrama.streaming.checks import picture_gates
from microdrama.streaming.ladder import encode_picture
from microdrama.words.template import GenreTemplate

TIMELINE = "timeline.json"


def make_cut(ep: Episode, template: GenreTemplate, settings: VideoSettings) -> Staged[dict]:
    """One timeline for every dubbed locale (each shot as long as its longest dub; shorter ones
    hold), and the caption-free picture on it, encoded once as the HLS video ladder."""
    script = ep.script()
    timings = picture_timeline(ep, template)
    total = round(sum(t.duration for t in timings), 3)
    with ep.store.staged(ep.dir("cut")) as tmp:
        rungs = encode_picture(
            ep.keyframes(),
            [s.type for s in script.shots],
            timings,
            settings,
            tmp / "video",
            tmp / "poster.jpg",
            motion_clips(ep),
        )
        timeline = {
            "seconds": total,
            "fps": settings.fps,
            "shots": [{"start": t.start, "duration": t.duration} for t in timings],
            "rungs": [r.__dict__ for r in rungs],
            "fitted_to": list(voiced(ep)["locales"]),
        }
        write_json(tmp / TIMELINE, timeline)
        found = picture_gates(tmp / "video", rungs, total)
        gates = seal("cut", found, tmp)
    return Staged(timeline, ep.store.read_manifest(ep.dir("cut")), gates)
