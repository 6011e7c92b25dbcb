"""The music stage: one score per episode on the picture's timeline."""

from __future__ import annotations

import tempfile
from pathlib import Path

from microdrama.av.wav import write_wav
from microdrama.media import read_json, write_json
from microdrama.music.gates import stingers_on_cuts
from microdrama.music.moods import Moods
from microdrama.music.render import Composer
from microdrama.music.score import ScoreRequest
from microdrama.picture.compositor import VideoSettings
from microdrama.quality.gates import (
    GateFailure,
    gate,
    seal,
)
from microdrama.stages.cut import TIMELINE
from microdrama.stages.episode import Episode, Staged, each

SCORE, SCORE_REQUEST = "score.wav", "request.json"  # music/: the score and what it was asked


STINGER_BEATS = ("twist", "cliffhanger")


def score_request(ep: Episode, moods: Moods) -> ScoreRequest:
    """What the episode's score is asked for: its genre's mood, its series' theme, the
    picture's length and cuts, and a stinger on the first cut of the twist and the cliffhanger."""
    script, timeline = ep.script(), read_json(ep.fetch("cut") / TIMELINE)
    cuts = [shot["start"] for shot in timeline["shots"]]
    first_cut = {}
    for shot, at in zip(script.shots, cuts, strict=True):
        first_cut.setdefault(shot.beat, at)
    return ScoreRequest(
        genre=ep.genre,
        series=ep.key.series_id,
        episode_number=ep.key.number,
        total_seconds=timeline["seconds"],
        cuts=cuts,
        stingers=[(first_cut[beat], beat) for beat in STINGER_BEATS if beat in first_cut],
        mood=moods.for_genre(ep.genre),
    )


def make_music(
    batch: list[Episode], settings: VideoSettings, composer: Composer, moods: Moods
) -> list[Staged[Path] | GateFailure]:
    """One score per episode, on the picture's timeline, that every locale plays under its
    dialogue; a batch goes to the composer at once (a model generates it in batches)."""
    requests = [score_request(ep, moods) for ep in batch]
    rate = settings.audio_rate
    with tempfile.TemporaryDirectory(prefix=".music.", dir=batch[0].store.root) as work:
        scores = composer.score(requests, rate, Path(work))

    def stage(item: tuple[Episode, ScoreRequest, tuple]) -> Staged[Path]:
        ep, request, (samples, fell_back) = item
        with ep.store.staged(ep.dir("music")) as tmp:
            write_wav(tmp / SCORE, rate, samples)
            asked = {"cuts": request.cuts, "stingers": request.stingers}
            write_json(tmp / SCORE_REQUEST, asked | {"mood": request.mood.model_dump()})
            length = len(samples) / rate
            drift = abs(length - request.total_seconds)
            found = [
                gate(
                    "length",
                    []
                    if drift <= 0.05
                    else [f"{length:.2f}s, the picture {request.total_seconds:.2f}s"],
                    f"{length:.2f}s, as long as the picture",
                    seconds=round(length, 3),
                ),
                stingers_on_cuts(samples, rate, request),
            ]
            gates = seal("music", found, tmp)
        notes = {"fell_back": fell_back} if composer.neural else {}
        return Staged(
            ep.dir("music") / SCORE, ep.store.read_manifest(ep.dir("music")), gates, notes
        )

    return each(list(zip(batch, requests, scores, strict=True)), stage)
