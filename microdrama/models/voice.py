"""The transformers voice: a text-to-speech model (VITS, MMS-TTS) speaks each line.

MMS-TTS has one model per language, so the model name may hold `{lang}`, the ISO 639-3
code (facebook/mms-tts-{lang} -> facebook/mms-tts-spa for es). A multi-speaker model gives each
character its own speaker; a single-speaker one gives each character its own noise seed and
speaking rate. A clip that comes out silent or of an implausible length is spoken by espeak-ng.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microdrama.av.wav import write_wav
from microdrama.locales.espeak import EMOTION_PROSODY, Espeak
from microdrama.models.device import MODELS, DeviceConfig, ModelError, load_pretrained, model_source
from microdrama.quality.gates import MIN_RMS_DBFS, level_dbfs, plausible_seconds
from microdrama.words.template import Voice

VARIABLE = "MICRODRAMA_VOICE_MODEL"
LANG3 = {"en": "eng", "es": "spa", "pt-BR": "por", "zh-CN": "cmn"}
REFERENCE_SPEED = 165  # espeak words per minute that the model's own pace stands for


def voice_seed(voice: Voice) -> int:
    return int(hashlib.sha256(f"{voice.variant}|{voice.pitch}".encode()).hexdigest()[:8], 16)


@dataclass
class SpeechModel:
    model: str
    device: DeviceConfig
    fallback: Espeak
    workers: int = 1  # one model call at a time; it changes the model's speaking rate
    fallbacks: int = 0
    neural: bool = True

    def _source(self, locale: str) -> str:
        if "{lang}" in self.model and locale not in LANG3:
            raise ModelError(f"{VARIABLE}: no ISO 639-3 code known for locale {locale!r}")
        return model_source(self.model.replace("{lang}", LANG3.get(locale, "")), VARIABLE)

    def _load(self, source: str) -> tuple[Any, Any]:
        from transformers import AutoModelForTextToWaveform, AutoTokenizer

        model_class = AutoModelForTextToWaveform
        return load_pretrained(AutoTokenizer, model_class, source, VARIABLE, self.device)

    def loaded(self, locale: str) -> tuple[Any, Any]:
        source = self._source(locale)
        return MODELS.get(("voice", source, str(self.device)), lambda: self._load(source))

    def _speak(self, text: str, voice: Voice, locale: str, emotion: str) -> tuple[int, Any]:
        import torch

        tokenizer, model = self.loaded(locale)
        inputs = tokenizer(text, return_tensors="pt").to(model.device)
        if inputs["input_ids"].shape[1] == 0:  # nothing the model's alphabet can spell
            return 0, None
        extra = {}
        speakers = getattr(model.config, "num_speakers", 1) or 1
        if speakers > 1:
            extra["speaker_id"] = voice_seed(voice) % speakers
        model.speaking_rate = (
            voice.speed / REFERENCE_SPEED * EMOTION_PROSODY.get(emotion, (0, 1))[1]
        )
        torch.manual_seed(voice_seed(voice))
        with torch.inference_mode():
            waveform = model(**inputs, **extra).waveform[0]
        return model.config.sampling_rate, waveform.float().cpu().numpy()

    def synthesize(self, text: str, voice: Voice, locale: str, emotion: str, out: Path) -> float:
        """Speak `text` into a WAV at `out`; return its duration in seconds."""
        rate, samples = self._speak(text, voice, locale, emotion)
        if samples is not None and samples.size:
            peak = float(abs(samples).max())
            scaled = samples / peak * 0.9 if peak > 1.0 else samples
            seconds = scaled.size / rate
            low, high = plausible_seconds(text)
            if low <= seconds <= high and level_dbfs(scaled) >= MIN_RMS_DBFS:
                write_wav(out, rate, scaled)
                return seconds
        self.fallbacks += 1
        return self.fallback.synthesize(text, voice, locale, emotion, out)
