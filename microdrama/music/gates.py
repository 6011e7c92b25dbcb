"""The score's gates: the music never masks a line, never vanishes between lines, never clips,
and its stingers land on their cuts. Measured on the audio, not taken from the MIDI."""

from __future__ import annotations

import numpy as np

from microdrama.music.mix import ATTACK_SECONDS, RELEASE_SECONDS, spans
from microdrama.music.score import ScoreRequest
from microdrama.quality.gates import Gate, gate, level_dbfs

MIN_SPEECH_OVER_MUSIC_DB = 12.0
MIN_BED_DBFS = -40.0
MIN_PAUSE_SECONDS = 0.5  # shorter pauses between lines are not measured
STINGER_TOLERANCE_SECONDS = 0.1
ONSET_SEARCH_SECONDS = 0.3  # how far from its cut a stinger's onset is looked for
ONSET_WINDOW_SECONDS = 0.02  # long enough to hold a cycle of a timpani's low note
ONSET_HOP_SECONDS = 0.0025


def music_under_speech(
    dialogue: np.ndarray, music: np.ndarray, rate: int, speech: list[tuple[float, float]]
) -> Gate:
    """`dialogue` and `music`: the two stems as they sit in the mix (the music ducked)."""
    ratios = [
        (a / rate, level_dbfs(dialogue[a:b]) - level_dbfs(music[a:b]))
        for a, b in spans(speech, rate, music.size)
    ]
    problems = [
        f"line at {at:.2f} s: music only {ratio:.1f} dB under the dialogue"
        for at, ratio in ratios
        if ratio < MIN_SPEECH_OVER_MUSIC_DB
    ]
    return gate(
        "music_under_speech",
        problems,
        f"music at least {MIN_SPEECH_OVER_MUSIC_DB:g} dB under every line",
        min_speech_over_music_db=round(min((r for _, r in ratios), default=float("inf")), 1),
        lines=len(ratios),
    )


def pauses(speech: list[tuple[float, float]], rate: int, size: int) -> list[tuple[int, int]]:
    """Sample ranges between lines (and before the first, after the last), outside the ducks'
    ramps, at least MIN_PAUSE_SECONDS long."""
    busy = np.zeros(size, bool)
    for a, b in spans(speech, rate, size):
        busy[max(0, a - round(ATTACK_SECONDS * rate)) : b + round(RELEASE_SECONDS * rate)] = True
    edges = np.flatnonzero(np.diff(np.concatenate([[1], busy.view(np.int8), [1]])))
    return [
        (int(a), int(b))
        for a, b in zip(edges[::2], edges[1::2], strict=True)
        if b - a >= MIN_PAUSE_SECONDS * rate
    ]


def music_audible(mixed: np.ndarray, rate: int, speech: list[tuple[float, float]]) -> Gate:
    """Between lines the mix is the music alone: every pause must hold it above MIN_BED_DBFS."""
    levels = [(a / rate, level_dbfs(mixed[a:b])) for a, b in pauses(speech, rate, mixed.size)]
    problems = [
        f"pause at {at:.2f} s: music at {level:.1f} dBFS"
        for at, level in levels
        if level < MIN_BED_DBFS
    ]
    return gate(
        "music_audible",
        problems,
        f"music above {MIN_BED_DBFS:g} dBFS in every pause between lines",
        quietest_pause_dbfs=round(min((lv for _, lv in levels), default=0.0), 1),
        pauses=len(levels),
    )


def no_clipping(mixed: np.ndarray) -> Gate:
    peak = float(np.abs(mixed).max(initial=0.0))
    problems = [f"the mix peaks at {peak:.3f}"] if peak >= 1.0 else []
    return gate("no_clipping", problems, "the mix peaks under full scale", peak=round(peak, 4))


def onset(music: np.ndarray, rate: int, near: float) -> float:
    """The time within ONSET_SEARCH_SECONDS of `near` where the energy of the ONSET_WINDOW
    after it most exceeds that of the window before it (in dB): a hit's attack."""
    hop, width = round(ONSET_HOP_SECONDS * rate), round(ONSET_WINDOW_SECONDS * rate)
    lo = max(0, round((near - ONSET_SEARCH_SECONDS) * rate))
    hi = min(music.size, round((near + ONSET_SEARCH_SECONDS) * rate))
    offset = max(0, lo - width)  # the sample where the padded excerpt's audio starts
    excerpt = np.pad(music[offset : hi + width].astype(np.float64), width)
    power = np.concatenate([[0.0], np.cumsum(excerpt**2)])
    at = np.arange(lo, hi + 1, hop) - offset + width
    after, before = power[at + width] - power[at], power[at] - power[at - width]
    rise = np.log10((after + 1e-9) / (before + 1e-9))
    return float(at[int(np.argmax(rise))] - width + offset) / rate


def stingers_on_cuts(music: np.ndarray, rate: int, request: ScoreRequest) -> Gate:
    """Each stinger's onset, found in the rendered music, within the tolerance of its cut."""
    problems, offsets = [], []
    for at, kind in request.stingers:
        cut = min(request.cuts, key=lambda c: abs(c - at), default=at)
        if abs(cut - at) > STINGER_TOLERANCE_SECONDS:
            problems.append(f"{kind} stinger at {at:.2f} s is on no cut (nearest {cut:.2f} s)")
        offsets.append(abs(onset(music, rate, cut) - cut))
        if offsets[-1] > STINGER_TOLERANCE_SECONDS:
            problems.append(f"{kind} stinger sounds {offsets[-1]:.2f} s off its cut at {cut:.2f} s")
    return gate(
        "stingers_on_cuts",
        problems,
        f"every stinger within {STINGER_TOLERANCE_SECONDS:g} s of its cut",
        max_offset_s=round(max(offsets, default=0.0), 3),
        stingers=len(offsets),
    )
