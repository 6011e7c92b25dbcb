"""16-bit PCM WAV files in and out, and tempo changes at the same pitch."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from microdrama.av.ffmpeg import run_ffmpeg
from microdrama.media import atomic_path


class WavError(RuntimeError):
    pass


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    """(sample rate, mono float32 samples in -1..1) of a 16-bit PCM WAV."""
    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        if width != 2:
            raise WavError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    mono = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples
    return rate, mono.astype(np.float32) / 32768.0


def write_wav(path: Path, rate: int, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def speed_up(path: Path, tempo: float, out: Path) -> Path:
    """The clip `tempo` times faster at the same pitch (ffmpeg's atempo), as a WAV at `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-i", str(path), "-filter:a", f"atempo={tempo:.4f}", "-c:a", "pcm_s16le", str(out)])
    return out
