"""Loudness at a streaming target: EBU R128 integrated loudness, as ffmpeg's ebur128 measures it.

Platforms normalize playback to about -14 LUFS; an episode mixed far from it plays too quiet
or gets turned down and sounds squashed. The mix is scaled to the target and its peaks bent
under a ceiling by a soft limiter instead of clipping.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from microdrama.ffmpeg import FFmpegError, run_ffmpeg
from microdrama.voice import read_wav, write_wav

TARGET_LUFS = -14.0
TOLERANCE_LU = 2.0
SILENT_LUFS = -60.0
CEILING = 0.95
KNEE = 0.75

_INTEGRATED = re.compile(r"I:\s+(-?\d+(?:\.\d+)?|-inf) LUFS")


def integrated_lufs(path: Path) -> float:
    """Integrated loudness of the first audio stream of `path` (a WAV or an MP4)."""
    log = run_ffmpeg(
        ["-i", str(path), "-map", "0:a:0", "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        loglevel="info",
    )
    found = _INTEGRATED.findall(log)
    if not found:
        raise FFmpegError(f"ebur128 could not measure {path}: {log.strip()[-500:]}")
    return float("-inf") if found[-1] == "-inf" else float(found[-1])


def soft_limit(samples: np.ndarray) -> np.ndarray:
    """Leave samples under the knee alone; bend the rest smoothly towards the ceiling."""
    magnitude = np.abs(samples)
    over = magnitude > KNEE
    bent = KNEE + (CEILING - KNEE) * np.tanh((magnitude[over] - KNEE) / (CEILING - KNEE))
    out = samples.copy()
    out[over] = np.sign(samples[over]) * bent
    return out


def normalize_wav(path: Path, target: float = TARGET_LUFS, attempts: int = 3) -> float:
    """Scale the WAV at `path` in place to `target` LUFS; return the loudness it reached.

    The limiter takes a little loudness back, so the gain is measured again and corrected.
    Silence stays silence.
    """
    measured = integrated_lufs(path)
    for _ in range(attempts):
        if measured < SILENT_LUFS or abs(measured - target) <= 0.5:
            break
        rate, samples = read_wav(path)
        write_wav(path, rate, soft_limit(samples * 10 ** ((target - measured) / 20)))
        measured = integrated_lufs(path)
    return measured
