"""The transformers composer: MusicGen plays each episode's mood from a text prompt.

The episodes of a batch are generated in one call, as long as the longest of them (at most the
30 s MusicGen was trained on; a longer episode loops it with a crossfade). MusicGen knows
nothing of cuts, so the embedded score's stinger notes, rendered alone, are laid over its
music: the hits still land on their cuts. A score that comes out silent, not finite or
clipped is replaced by the embedded one (flagged, so the episode's metadata can say so).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from microdrama.av.loudness import normalize
from microdrama.models.device import MODELS, DeviceConfig, ModelError, load_pretrained, model_source
from microdrama.music.moods import Mood
from microdrama.music.render import SOUNDFONT, Composer, render_stingers
from microdrama.music.score import ScoreRequest
from microdrama.picture.compositor import resample
from microdrama.quality.gates import MIN_RMS_DBFS, level_dbfs

VARIABLE = "MICRODRAMA_MUSIC_MODEL"
MAX_GENERATED_SECONDS = 30.0
LOOP_FADE_SECONDS = 0.5
BED_LUFS = -27.0  # about the embedded score's loudness, so the stingers sit over it the same way
MAX_CLIPPED_FRACTION = 0.001  # of samples at full scale


def prompt(mood: Mood) -> str:
    return f"{mood.style}, in {mood.key}, {mood.tempo} bpm"


def loop(samples: np.ndarray, length: int, fade: int) -> np.ndarray:
    """`samples` repeated to exactly `length`, each seam crossfaded over `fade` samples."""
    fade = min(fade, samples.size // 2)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    looped = samples
    while looped.size < length:
        seam = looped[looped.size - fade :] * (1 - ramp) + samples[:fade] * ramp
        looped = np.concatenate([looped[: looped.size - fade], seam, samples[fade:]])
    return looped[:length]


def usable(samples: np.ndarray, rate: int) -> bool:
    """At least a second long, finite, audible and not clipped."""
    return (
        samples.size >= rate
        and bool(np.isfinite(samples).all())
        and level_dbfs(samples) >= MIN_RMS_DBFS
        and float(np.mean(np.abs(samples) >= 0.999)) <= MAX_CLIPPED_FRACTION
    )


def scored(
    samples: np.ndarray,
    model_rate: int,
    request: ScoreRequest,
    rate: int,
    out: Path,
    soundfont: Path = SOUNDFONT,
) -> np.ndarray:
    """Generated music fitted to the episode at the embedded score's loudness, with the
    request's stingers (rendered to `out` through `soundfont`) laid over it."""
    length = round(request.total_seconds * rate)
    bed = loop(resample(samples, model_rate, rate), length, round(LOOP_FADE_SECONDS * rate))
    return normalize(bed, rate, BED_LUFS) + render_stingers(request, rate, out, soundfont)


@dataclass
class MusicGenComposer:
    model: str
    device: DeviceConfig
    fallback: Composer
    batch_size: int = 4
    fallbacks: int = 0
    neural: bool = True
    soundfont: Path = SOUNDFONT  # the stingers' (MICRODRAMA_SOUNDFONT)

    def _load(self, source: str) -> tuple[Any, Any]:
        try:
            from transformers import AutoProcessor, MusicgenForConditionalGeneration
        except ImportError as exc:
            raise ModelError(
                f"{VARIABLE}: MusicGen needs transformers; pip install 'microdrama[neural]' ({exc})"
            ) from exc
        model_class = MusicgenForConditionalGeneration
        return load_pretrained(AutoProcessor, model_class, source, VARIABLE, self.device)

    def loaded(self) -> tuple[Any, Any]:
        source = model_source(self.model, VARIABLE)
        return MODELS.get(("music", source, str(self.device)), lambda: self._load(source))

    def _generate(self, batch: list[ScoreRequest]) -> tuple[int, list[np.ndarray]]:
        """The batch's music at the model's own rate, mono, centred, as long as the longest."""
        import torch

        processor, model = self.loaded()
        audio = model.config.audio_encoder
        seconds = min(MAX_GENERATED_SECONDS, max(r.total_seconds for r in batch))
        tokens = math.ceil(seconds * audio.frame_rate) + model.config.decoder.num_codebooks
        inputs = processor(
            text=[prompt(r.mood) for r in batch], padding=True, return_tensors="pt"
        ).to(model.device)
        first = batch[0]
        key = f"{first.genre}|{first.series}|{first.episode_number}".encode()
        torch.manual_seed(int(hashlib.sha256(key).hexdigest()[:8], 16))
        with torch.inference_mode():
            generated = model.generate(**inputs, max_new_tokens=tokens)
        mono = [g.float().mean(dim=0).cpu().numpy() for g in generated]
        return audio.sampling_rate, [m - m.mean() for m in mono]  # a DC offset is no sound

    def score(
        self, requests: list[ScoreRequest], rate: int, work: Path
    ) -> list[tuple[np.ndarray, bool]]:
        self.loaded()  # a model that cannot load is a configuration error, not a fallback
        results = []
        for first in range(0, len(requests), self.batch_size):
            batch = requests[first : first + self.batch_size]
            try:
                model_rate, generated = self._generate(batch)
            except RuntimeError:  # out of memory, a failed generation: the embedded score plays
                model_rate, generated = 0, [None] * len(batch)
            for n, (request, samples) in enumerate(zip(batch, generated, strict=True), first):
                if samples is not None and usable(samples, model_rate):
                    out = work / f"stingers-{n}"
                    music = scored(samples, model_rate, request, rate, out, self.soundfont)
                    results.append((music, False))
                else:
                    self.fallbacks += 1
                    music, _ = self.fallback.score([request], rate, work / f"fallback-{n}")[0]
                    results.append((music, True))
        return results
