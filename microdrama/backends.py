"""Which backend each modality uses: the embedded default, or a model on the device.

Selected by MICRODRAMA_WRITER / _PAINTER / _VOICE / _TRANSLATOR / _MOTION / _MUSIC (the
backend) and the matching *_MODEL variables (a hub id or a local directory); the Dagster
resource and the benchmark build one of these from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from microdrama.locales.espeak import Espeak, Speaker
from microdrama.locales.piper import BUNDLED, Piper, voice_table
from microdrama.locales.translation import NeuralTranslator
from microdrama.models.device import DeviceConfig, ModelError
from microdrama.motion.animator import Animator
from microdrama.music.render import SOUNDFONT, Composer, FluidSynthComposer
from microdrama.picture.storyboard import Painter, StoryboardPainter
from microdrama.provenance.screening import NsfwScreen, ScreenedAnimator, ScreenedPainter
from microdrama.quality.gates import MIN_RMS_DBFS, level_dbfs, plausible_seconds
from microdrama.words.rewrite import Writer

EMBEDDED = "embedded"
NEURAL = {
    "writer": "transformers",
    "painter": "diffusers",
    "voice": "transformers",
    "translator": "transformers",
    "motion": "diffusers",
    "music": "transformers",
}


OFFLINE = {"voice": ("espeak", "piper")}  # other backends that need no model download


def speech_passes(text: str, rate: int, samples: np.ndarray) -> bool:
    """Whether a model's clip passes the speech gates' tests: audible, and as long as its text
    could plausibly take."""
    low, high = plausible_seconds(text)
    return low <= samples.size / rate <= high and level_dbfs(samples) >= MIN_RMS_DBFS


@dataclass(frozen=True)
class PainterOptions:
    width: int = 576
    height: int = 1024
    steps: int = 2
    guidance: float = 0.0
    batch_size: int = 4
    attention_slicing: bool = False


@dataclass(frozen=True)
class MotionOptions:
    width: int = 576
    height: int = 1024
    frames: int = 14
    steps: int = 4


@dataclass(frozen=True)
class Backends:
    writer: str = EMBEDDED
    writer_model: str = ""
    painter: str = EMBEDDED
    painter_model: str = ""
    voice: str = EMBEDDED
    voice_model: str = ""
    piper_voices: str = ""  # LOCALE=MODEL.onnx[#SPEAKER+...];... (locales/piper.py)
    translator: str = EMBEDDED
    translator_model: str = ""
    motion: str = EMBEDDED
    motion_model: str = ""
    music: str = EMBEDDED
    music_model: str = ""
    device: DeviceConfig = field(default_factory=DeviceConfig)
    painting: PainterOptions = field(default_factory=PainterOptions)
    moving: MotionOptions = field(default_factory=MotionOptions)
    cache: Path = Path.home() / ".cache" / "microdrama"
    soundfont: Path = SOUNDFONT  # the embedded score's General MIDI soundfont

    def __post_init__(self) -> None:
        for modality, neural in NEURAL.items():
            name = getattr(self, modality)
            if name not in (EMBEDDED, neural, *OFFLINE.get(modality, ())):
                raise ModelError(
                    f"MICRODRAMA_{modality.upper()}={name!r}: use {EMBEDDED} (the default), "
                    + "".join(f"{other}, " for other in OFFLINE.get(modality, ()))
                    + f"or {neural}"
                )
            if name == neural and not getattr(self, f"{modality}_model").strip():
                raise ModelError(
                    f"MICRODRAMA_{modality.upper()}={neural} needs "
                    f"MICRODRAMA_{modality.upper()}_MODEL: a hub id or a local model directory"
                )

    def summary(self) -> dict[str, str]:
        """modality -> "embedded" or "backend: model", for asset metadata."""
        return {
            m: getattr(self, m)
            if getattr(self, m) == EMBEDDED
            else f"{getattr(self, m)}: {getattr(self, f'{m}_model')}"
            for m in NEURAL
        }

    def make_writer(self) -> Writer | None:
        """The language model that rewrites template text, or None for the story grammar alone."""
        if self.writer == EMBEDDED:
            return None
        from microdrama.models.writer import LanguageModelWriter

        return LanguageModelWriter(self.writer_model, self.device, self.cache)

    def make_painter(self) -> Painter:
        if self.painter == EMBEDDED:
            return StoryboardPainter()
        from microdrama.models.painter import DiffusionPainter

        o = self.painting
        model = DiffusionPainter(
            self.painter_model,
            self.device,
            o.width,
            o.height,
            o.steps,
            o.guidance,
            o.batch_size,
            o.attention_slicing,
        )
        # a model's pictures pass the NSFW screen before the cut
        return ScreenedPainter(model, NsfwScreen())

    def make_voice(self) -> Speaker:
        """espeak-ng; piper for the locales it has voices for (embedded, piper); or a
        transformers model with espeak-ng behind it."""
        if self.voice == "espeak":
            return Espeak()
        if self.voice in (EMBEDDED, "piper"):
            table = voice_table(self.piper_voices)
            if self.voice == "piper" and "en" not in table:
                table.update(voice_table(f"en={BUNDLED}"))
            if not table:
                return Espeak()
            return Piper(table, Espeak(), accept=speech_passes)
        from microdrama.models.voice import SpeechModel

        return SpeechModel(self.voice_model, self.device, Espeak())

    def make_animator(self) -> Animator | None:
        """The image-to-video model that moves the shots, or None for the eased pan alone."""
        if self.motion == EMBEDDED:
            return None
        from microdrama.motion.animator import DiffusersAnimator

        o = self.moving
        model = DiffusersAnimator(
            self.motion_model, self.device, o.frames, o.steps, width=o.width, height=o.height
        )
        return ScreenedAnimator(model, NsfwScreen())  # its clips' frames pass the screen too

    def make_composer(self) -> Composer:
        """The score's composer: FluidSynth playing a MIDI score, or a text-to-music model
        with that score as its fallback."""
        embedded = FluidSynthComposer(self.soundfont)
        if self.music == EMBEDDED:
            return embedded
        from microdrama.music.musicgen import MusicGenComposer

        return MusicGenComposer(self.music_model, self.device, embedded, soundfont=self.soundfont)

    def make_translator(self, locale: str) -> NeuralTranslator | None:
        """A wrapper that puts the model in front of the locale's embedded translator."""
        if self.translator == EMBEDDED:
            return None
        from microdrama.models.translator import Seq2SeqTranslator

        return lambda fallback: Seq2SeqTranslator(
            self.translator_model, self.device, locale, fallback
        )
