"""Loudness at a streaming target: EBU R128 integrated loudness and true peak (ITU-R BS.1770-4).

Platforms normalize playback to about -14 LUFS; an episode mixed far from it plays too quiet
or gets turned down and sounds squashed. The mix is scaled to the target and its true peak
(the waveform between samples, as a DAC rebuilds it) held under a ceiling by a look-ahead
limiter instead of clipping. Delivery specifications (EBU R 128, the platforms') ask for true
peak at or below -1 dBTP on the delivered file; AAC's encoder rebuilds the waveform and
overshoots by a few tenths of a dB, so the limiter aims half a dB lower and the gates measure
the decoded rendition, not the mix.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import lfilter, resample_poly

from microdrama.av.ffmpeg import FFmpegError, binary

TARGET_LUFS = -14.0
TOLERANCE_LU = 1.0
MAX_TRUE_PEAK_DBTP = -1.0  # what the gates allow on the decoded rendition (EBU R 128 s1)
LIMIT_DBTP = -1.5  # where the limiter aims: AAC's overshoot stays under the gate's ceiling
OVERSAMPLING = 4  # BS.1770-4 Annex 2: 4x at 48 kHz
LOOKAHEAD_SECONDS = 0.005  # the limiter's gain is down this long before a peak, back after
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


def true_peak(samples: np.ndarray, rate: int = 48000) -> float:
    """BS.1770-4 true peak (dBTP) of float samples, shape (n,) or (n, channels): the largest
    magnitude after 4x oversampling with a polyphase low-pass (twice that below 48 kHz, as the
    annex asks for lower rates). -inf for silence."""
    peaks = true_peak_envelope(samples, rate)
    peak = float(peaks.max(initial=0.0))
    return float(20 * np.log10(peak)) if peak > 0 else float("-inf")


def true_peak_envelope(samples: np.ndarray, rate: int = 48000) -> np.ndarray:
    """Per original sample (all channels together), the largest oversampled magnitude from
    that sample to the next: where the rebuilt waveform peaks between samples."""
    factor = OVERSAMPLING * (2 if rate < 48000 else 1)
    x = samples.astype(np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if not x.size:
        return np.zeros(0)
    up = np.abs(resample_poly(x, factor, 1, axis=0)).max(axis=1)
    up = np.pad(up, (0, x.shape[0] * factor - up.size))[: x.shape[0] * factor]
    per = up.reshape(-1, factor).max(axis=1)
    return np.maximum(per, np.abs(x).max(axis=1))


def limit_true_peak(
    samples: np.ndarray, rate: int, ceiling_dbtp: float = LIMIT_DBTP, attempts: int = 4
) -> np.ndarray:
    """The samples with their true peak held at or below `ceiling_dbtp`: a look-ahead limiter.

    The gain each sample needs (ceiling over its true-peak envelope) is spread by a minimum
    filter over twice the look-ahead, then smoothed by a moving average of the look-ahead: an
    average of values each no higher than the gain a sample needs, so no peak is missed, and
    no step in the gain (which would click). Between-sample peaks move a little when the gain
    changes, so the result is measured again and the ceiling tightened by what is left.
    """
    ceiling = 10 ** (ceiling_dbtp / 20)
    target = ceiling
    width = max(1, round(LOOKAHEAD_SECONDS * rate))
    out = samples
    for _ in range(attempts):
        envelope = true_peak_envelope(out, rate)
        if envelope.max(initial=0.0) <= ceiling:
            return out
        needed = np.minimum(1.0, target / np.maximum(envelope, 1e-12))
        spread = minimum_filter1d(needed, size=2 * width + 1, mode="nearest")
        gain = np.minimum(uniform_filter1d(spread, size=width + 1, mode="nearest"), needed)
        out = (out * (gain if out.ndim == 1 else gain[:, None])).astype(np.float32)
        target *= 0.98  # what the gain's change did to the peaks between samples
    return out


def soft_limit(samples: np.ndarray) -> np.ndarray:
    """Leave samples under the knee alone; bend the rest smoothly towards the ceiling."""
    magnitude = np.abs(samples)
    over = magnitude > KNEE
    bent = KNEE + (CEILING - KNEE) * np.tanh((magnitude[over] - KNEE) / (CEILING - KNEE))
    out = samples.copy()
    out[over] = np.sign(samples[over]) * bent
    return out


def normalize(
    samples: np.ndarray,
    rate: int,
    target: float = TARGET_LUFS,
    ceiling_dbtp: float = LIMIT_DBTP,
    attempts: int = 4,
) -> np.ndarray:
    """The samples scaled to `target` LUFS, true peak held under `ceiling_dbtp`; silence stays
    silence.

    The limiter takes a little loudness back, so the gain is measured again and corrected.
    """
    measured = integrated_loudness(samples, rate)
    for _ in range(attempts):
        if measured < SILENT_LUFS or abs(measured - target) <= 0.1:
            break
        gained = samples * 10 ** ((target - measured) / 20)
        samples = limit_true_peak(gained, rate, ceiling_dbtp)
        measured = integrated_loudness(samples, rate)
    if measured >= SILENT_LUFS:
        samples = limit_true_peak(samples, rate, ceiling_dbtp)
    return samples
