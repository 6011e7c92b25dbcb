"""Sidechain ducking and the final mix: the music dips under every line and fills the pauses.

The speech intervals come from the timed script, so the duck starts ATTACK_SECONDS before a
line and is fully down when it begins (a look-ahead that a compressor keyed on the voice cannot
have), and comes back over RELEASE_SECONDS after it ends. Each line gets its own depth: its
music sits UNDER_SPEECH_DB below that line's dialogue (the gate asks for 12 dB), while between
lines the music rests BED_DB below the dialogue's level, audible. The sum is then brought to
the streaming loudness target.
"""

from __future__ import annotations

import numpy as np

from microdrama.av.loudness import CEILING, normalize, soft_limit
from microdrama.quality.gates import level_dbfs

ATTACK_SECONDS, RELEASE_SECONDS = 0.05, 0.25
UNDER_SPEECH_DB = 18.0
BED_DB = 8.0
MAX_BOOST_DB, MAX_DUCK_DB = 12.0, 60.0  # a near-silent score is not raised into its noise


def spans(speech: list[tuple[float, float]], rate: int, size: int) -> list[tuple[int, int]]:
    """The speech intervals (seconds) as sample ranges inside a track of `size` samples."""
    ranges = [(max(0, round(a * rate)), min(size, round(b * rate))) for a, b in speech]
    return [(a, b) for a, b in ranges if b > a]


def duck(
    dialogue: np.ndarray, music: np.ndarray, rate: int, speech: list[tuple[float, float]]
) -> np.ndarray:
    """The music with its sidechain gain: at the bed level between lines, ducked under each."""
    spoken = spans(speech, rate, music.size)
    if not spoken:
        return music
    inside = np.zeros(music.size, bool)
    for a, b in spoken:
        inside[a:b] = True
    speech_level = level_dbfs(dialogue[inside])
    between = music[~inside] if not inside.all() else music
    bed_db = min(MAX_BOOST_DB, speech_level - BED_DB - level_dbfs(between))
    gain_db = np.full(music.size, bed_db)
    attack, release = round(ATTACK_SECONDS * rate), round(RELEASE_SECONDS * rate)
    for a, b in spoken:
        wanted = level_dbfs(dialogue[a:b]) - UNDER_SPEECH_DB - level_dbfs(music[a:b])
        depth = max(bed_db - MAX_DUCK_DB, min(bed_db, wanted))
        lo, hi = max(0, a - attack), min(music.size, b + release)
        ramp = np.interp(
            np.arange(lo, hi), [a - attack, a, b, b + release], [bed_db, depth, depth, bed_db]
        )
        gain_db[lo:hi] = np.minimum(gain_db[lo:hi], ramp)
    return (music * 10 ** (gain_db / 20)).astype(np.float32)


def mix(dialogue: np.ndarray, ducked: np.ndarray, rate: int) -> np.ndarray:
    """Dialogue plus the music as `duck` left it, normalized to the loudness target, peaks
    under 1.0."""
    if dialogue.shape != ducked.shape:
        raise ValueError(f"dialogue {dialogue.shape} and music {ducked.shape} differ in length")
    mixed = normalize(dialogue + ducked, rate)
    return soft_limit(mixed) if np.abs(mixed).max(initial=0.0) > CEILING else mixed
