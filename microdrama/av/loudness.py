"""Loudness at a streaming target: EBU R128 integrated loudness (ITU-R BS.1770-4).

Platforms normalize playback to about -14 LUFS; an episode mixed far from it plays too quiet
or gets turned down and sounds squashed. The mix is scaled to the target and its peaks bent
under a ceiling by a soft limiter instead of clipping.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

from microdrama.av.ffmpeg import FFmpegError, binary

TARGET_LUFS = -14.0
TOLERANCE_LU = 2.0
SILENT_LUFS = -60.0
CEILING = 0.95
KNEE = 0.75

BLOCK_SECONDS, STEP_SECONDS = 0.4, 0.1  # BS.1770 gating blocks, overlapping by 75%
ABSOLUTE_GATE, RELATIVE_GATE = -70.0, -10.0


def k_weighting(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """BS.1770's K filter (high shelf, then high pass) as one IIR, designed for `rate`.

    The coefficients are those of libebur128 and ffmpeg's ebur128 filter, so a measurement
    here agrees with theirs.
    """
    k = np.tan(np.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / a0
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    k = np.tan(np.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    pass_b = np.array([1.0, -2.0, 1.0])
    pass_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return np.convolve(shelf_b, pass_b), np.convolve(shelf_a, pass_a)


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770-4 integrated loudness (LUFS) of float samples, shape (n,) or (n, channels).

    Every channel weighs 1 (mono and stereo; no surround here). Computed in numpy rather than
    by running ffmpeg's ebur128, which costs a process and a third of a second per minute.
    """
    b, a = k_weighting(rate)
    weighted = lfilter(b, a, samples.astype(np.float64), axis=0)
    power = weighted**2 if weighted.ndim == 1 else (weighted**2).sum(axis=1)
    block, step = round(BLOCK_SECONDS * rate), round(STEP_SECONDS * rate)
    if power.size < block:
        return float("-inf")
    summed = np.concatenate([[0.0], np.cumsum(power)])
    starts = np.arange(0, power.size - block + 1, step)
    blocks = (summed[starts + block] - summed[starts]) / block
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(blocks)
    audible = loud > ABSOLUTE_GATE
    if not audible.any():
        return float("-inf")
    relative = -0.691 + 10 * np.log10(blocks[audible].mean()) + RELATIVE_GATE
    kept = blocks[audible & (loud > relative)]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def decode_audio(path: Path) -> np.ndarray:
    """The first audio stream of `path` decoded by ffmpeg: float32 samples, channels
    interleaved at the stream's own rate (which ffprobe tells, meanwhile if need be)."""
    proc = subprocess.run(
        [
            binary("ffmpeg"),
            *("-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a:0"),
            *("-f", "f32le", "-c:a", "pcm_f32le", "-"),
        ],
        capture_output=True,
    )
    if proc.returncode != 0:
        said = proc.stderr.decode(errors="replace").strip()[-500:]
        raise FFmpegError(f"ffmpeg could not decode the audio of {path}: {said}")
    return np.frombuffer(proc.stdout, np.float32)


def soft_limit(samples: np.ndarray) -> np.ndarray:
    """Leave samples under the knee alone; bend the rest smoothly towards the ceiling."""
    magnitude = np.abs(samples)
    over = magnitude > KNEE
    bent = KNEE + (CEILING - KNEE) * np.tanh((magnitude[over] - KNEE) / (CEILING - KNEE))
    out = samples.copy()
    out[over] = np.sign(samples[over]) * bent
    return out


def normalize(
    samples: np.ndarray, rate: int, target: float = TARGET_LUFS, attempts: int = 3
) -> np.ndarray:
    """The samples scaled to `target` LUFS, peaks bent under the ceiling; silence stays silence.

    The limiter takes a little loudness back, so the gain is measured again and corrected.
    """
    measured = integrated_loudness(samples, rate)
    for _ in range(attempts):
        if measured < SILENT_LUFS or abs(measured - target) <= 0.5:
            break
        samples = soft_limit(samples * 10 ** ((target - measured) / 20))
        measured = integrated_loudness(samples, rate)
    return samples
