"""The cut stage: the caption-free picture on the shared timeline, encoded once."""

from __future__ import annotations

import hashlib

from microdrama.av.timing import ShotTiming
from microdrama.media import write_json
from microdrama.picture.compositor import VideoSettings
from microdrama.provenance.aigc import aigc_record, aigc_tags, produce_id
from microdrama.provenance.credentials import manifest_definition, sign_rendition
from microdrama.provenance.label import opening_overlays
from microdrama.provenance.stamp import Provenance
from microdrama.provenance.verify import check_rendition, provenance_gate
from microdrama.quality.gates import (
    seal,
)
from microdrama.stages.episode import Episode, Staged
from microdrama.stages.motion import comic_frames, motion_clips, picture_moves
from microdrama.stages.voice import picture_timeline, voiced
from microdrama.streaming.checks import picture_gates
from microdrama.streaming.ladder import PLAYLIST, encode_picture
from microdrama.words.template import GenreTemplate

TIMELINE = "timeline.json"


def make_cut(
    ep: Episode,
    template: GenreTemplate,
    settings: VideoSettings,
    provenance: Provenance | None = None,
) -> Staged[dict]:
    """One timeline for every dubbed locale (each shot as long as its longest dub; shorter ones
    hold), and the caption-free picture on it, encoded once as the HLS video ladder.

    The picture opens with the language-neutral AI label (every locale shares it); each rung's
    init segment carries the AIGC record and each rung a signed C2PA sidecar manifest."""
    prov = provenance or Provenance()
    script = ep.script()
    timings = picture_timeline(ep, template)
    total = round(sum(t.duration for t in timings), 3)
    content_id = produce_id(str(ep.key), picture_digest(ep, timings))
    with prov.timed():
        record = aigc_record(prov.disclosure, content_id)
        overlays = opening_overlays(prov.disclosure, settings.width, settings.height, total)
    with ep.store.staged(ep.dir("cut")) as tmp:
        rungs = encode_picture(
            ep.keyframes(),
            [s.type for s in script.shots],
            timings,
            settings,
            tmp / "video",
            tmp / "poster.jpg",
            motion_clips(ep),
            overlays=overlays,
            metadata=aigc_tags(record),
            frames=comic_frames(ep),
        )
        timeline = {
            "seconds": total,
            "fps": settings.fps,
            "shots": [{"start": t.start, "duration": t.duration} for t in timings],
            "rungs": [r.__dict__ for r in rungs],
            "fitted_to": list(voiced(ep)["locales"]),
            "produce_id": content_id,
        }
        write_json(tmp / TIMELINE, timeline)
        found = picture_gates(tmp / "video", rungs, total)
        found.append(picture_moves(tmp / "video" / rungs[-1].name / PLAYLIST, timings, settings))
        with prov.timed():
            definition = manifest_definition(script.title, str(ep.key), prov.backends, record)
            playlists = [tmp / "video" / r.name / PLAYLIST for r in rungs]
            for playlist in playlists:
                sign_rendition(playlist, definition, prov.credentials())
            found.append(provenance_gate([check_rendition(p) for p in playlists]))
        gates = seal("cut", found, tmp)
    return Staged(timeline, ep.store.read_manifest(ep.dir("cut")), gates)


def picture_digest(ep: Episode, timings: list[ShotTiming]) -> str:
    """What the picture is made from, as one digest: the keyframes, the motion clips and the
    timeline. The AIGC record's ProduceID carries it, so every file of one picture (each rung,
    each locale's MP4 and sound) names the same content, and a repainted one a new id."""
    parts = []
    for artifact in ("frames", "motion"):
        try:
            parts.append(ep.store.read_manifest(ep.fetch(artifact)).digest)
        except FileNotFoundError:  # an episode made before its shots could move
            parts.append("")
    parts += [f"{t.start:.3f}+{t.duration:.3f}" for t in timings]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
