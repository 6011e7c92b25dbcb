"""The embedded voice: espeak-ng, one distinct voice per character, per locale."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path
from typing import Protocol

from microdrama.media import atomic_path
from microdrama.words.template import Voice

ESPEAK_LANGUAGES = {"en": "en-us", "es": "es", "pt-BR": "pt-br", "zh-CN": "cmn"}
LOCALE_SPEED = {"zh-CN": 1.3}  # espeak-ng reads Mandarin slowly at the default rate
EMOTION_PROSODY = {  # pitch shift, speed factor
    "angry": (-4, 1.08),
    "shocked": (8, 1.05),
    "afraid": (10, 1.1),
    "sad": (-6, 0.9),
    "tender": (2, 0.92),
    "cold": (-3, 0.95),
    "smug": (0, 0.97),
    "contempt": (-2, 0.95),
}


class VoiceError(RuntimeError):
    pass


def espeak_args(voice: Voice, locale: str, emotion: str) -> list[str]:
    if locale not in ESPEAK_LANGUAGES:
        raise VoiceError(
            f"no espeak-ng voice for locale {locale!r}; known: {', '.join(ESPEAK_LANGUAGES)}"
        )
    shift, factor = EMOTION_PROSODY.get(emotion, (0, 1.0))
    pitch = min(99, max(0, voice.pitch + shift))
    speed = min(450, round(voice.speed * factor * LOCALE_SPEED.get(locale, 1.0)))
    return ["-v", f"{ESPEAK_LANGUAGES[locale]}+{voice.variant}", "-p", str(pitch), "-s", str(speed)]


def synthesize(text: str, voice: Voice, locale: str, emotion: str, out: Path) -> float:
    """Speak `text` into a WAV at `out`; return its duration in seconds."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise VoiceError("espeak-ng is not installed; run `make setup`")
    # Text goes through stdin, so a line starting with '-' is never read as an option; the sound
    # comes back on stdout, since espeak-ng cuts a long -w path short and writes elsewhere.
    proc = subprocess.run(
        [espeak, *espeak_args(voice, locale, emotion), "--stdout"],
        input=text.replace("\n", " ").encode(),
        capture_output=True,
    )
    if proc.returncode != 0:
        said = proc.stderr.decode(errors="replace").strip()
        raise VoiceError(f"espeak-ng failed for {out.name}: {said}")
    with wave.open(io.BytesIO(proc.stdout), "rb") as streamed:  # its sizes say "unknown"
        rate, width = streamed.getframerate(), streamed.getsampwidth()
        pcm = streamed.readframes(streamed.getnframes())
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return len(pcm) / width / rate


class Speaker(Protocol):
    neural: bool
    workers: int  # lines spoken at once
    fallbacks: int  # lines a model left to espeak-ng

    def synthesize(self, text: str, voice: Voice, locale: str, emotion: str, out: Path) -> float:
        """Speak `text` into a WAV at `out`; return its duration in seconds."""
        ...


class Espeak:
    """The embedded voice, behind the same interface as the transformers one."""

    neural = False
    workers = 2  # espeak-ng runs as separate processes, two at a time on two cores
    fallbacks = 0

    def synthesize(self, text: str, voice: Voice, locale: str, emotion: str, out: Path) -> float:
        return synthesize(text, voice, locale, emotion, out)
