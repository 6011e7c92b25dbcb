"""The numpy loudness meter against BS.1770's reference tone and ffmpeg's ebur128 filter."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from microdrama.av.ffmpeg import run_ffmpeg
from microdrama.av.loudness import TARGET_LUFS, decode_audio, integrated_loudness, normalize
from microdrama.av.wav import write_wav


def ebur128(path: Path) -> float:
    """ffmpeg's own measurement, the reference the numpy meter must agree with."""
    log = run_ffmpeg(["-i", str(path), "-af", "ebur128", "-f", "null", "-"], loglevel="info")
    return float(re.findall(r"I:\s+(-?\d+(?:\.\d+)?) LUFS", log)[-1])


def speechlike(rate: int, seconds: float = 6.0) -> np.ndarray:
    """Tones with pauses and a swelling level, so both gates have something to do."""
    t = np.arange(round(rate * seconds)) / rate
    tone = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 3100 * t)
    syllables = (np.sin(2 * np.pi * 2.5 * t) > 0) * (0.3 + 0.7 * t / seconds)
    return (tone * syllables).astype(np.float32)


def test_reference_tone_reads_minus_3_dB_below_its_peak() -> None:
    """BS.1770: a 997 Hz sine at 0 dBFS peak reads -3.01 LKFS; at -20 dBFS, -23.01."""
    t = np.arange(48000 * 5) / 48000
    assert integrated_loudness(0.1 * np.sin(2 * np.pi * 997 * t), 48000) == pytest.approx(
        -23.01, abs=0.02
    )


@pytest.mark.parametrize("rate", [16000, 22050, 48000])
def test_agrees_with_ffmpeg_ebur128(tmp_path: Path, rate: int) -> None:
    wav = tmp_path / "speech.wav"
    write_wav(wav, rate, speechlike(rate))
    aac = tmp_path / "speech.m4a"
    run_ffmpeg(["-i", str(wav), "-c:a", "aac", "-ar", "48000", str(aac)])
    for path, decoded_rate in ((wav, rate), (aac, 48000)):
        measured = integrated_loudness(decode_audio(path).reshape(-1, 1), decoded_rate)
        assert measured == pytest.approx(ebur128(path), abs=0.1), path.name


def test_stereo_channels_add_their_power() -> None:
    mono = speechlike(22050)
    both = np.stack([mono, mono], axis=1)
    assert integrated_loudness(both, 22050) == pytest.approx(
        integrated_loudness(mono, 22050) + 10 * np.log10(2), abs=0.01
    )


def test_normalize_reaches_the_target_and_keeps_silence() -> None:
    quiet = speechlike(22050) * 0.05
    loud = normalize(quiet, 22050)
    assert integrated_loudness(loud, 22050) == pytest.approx(TARGET_LUFS, abs=0.5)
    assert np.abs(loud).max() < 1.0
    silence = np.zeros(22050 * 3, np.float32)
    assert not normalize(silence, 22050).any()
    assert integrated_loudness(silence, 22050) == float("-inf")
