"""The embedded composer: the score's MIDI played by FluidSynth through a General MIDI soundfont.

Every composer, embedded or neural, answers the same call, so the pipeline picks one by
configuration. FluidSynth renders faster than real time on one core and needs no weights;
it loads only the soundfont samples the score plays.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pretty_midi

from microdrama.av.wav import read_wav
from microdrama.music.score import ScoreRequest, compose, stingers

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
INSTALL = "install `fluidsynth fluid-soundfont-gm` (apt-get install fluidsynth fluid-soundfont-gm)"
GAIN = 0.6
TIMEOUT_SECONDS = 120  # FluidSynth renders a minute in about a second; a stuck note never ends


class MusicError(RuntimeError):
    """The embedded composer cannot run here; the message says what to install."""


class Composer(Protocol):
    neural: bool

    def score(
        self, requests: list[ScoreRequest], rate: int, work: Path
    ) -> list[tuple[np.ndarray, bool]]:
        """Per request: mono float32 samples at `rate`, exactly its length, and whether it fell
        back to the embedded score. `work` holds intermediate files."""
        ...


def checked(soundfont: Path) -> Path:
    """The soundfont, or an error saying what to install."""
    if not soundfont.is_file():
        raise MusicError(f"no soundfont at {soundfont} (MICRODRAMA_SOUNDFONT): {INSTALL}")
    return soundfont


def render(
    midi: pretty_midi.PrettyMIDI,
    seconds: float,
    rate: int,
    out: Path,
    soundfont: Path = SOUNDFONT,
) -> np.ndarray:
    """`midi` played by FluidSynth through `soundfont` (its MIDI and WAV kept at
    `out`.mid/.wav): mono float32 at `rate`, trimmed or padded with silence to exactly
    `seconds`."""
    fluidsynth = shutil.which("fluidsynth")
    if fluidsynth is None:
        raise MusicError(f"fluidsynth is not installed: {INSTALL}")
    out.parent.mkdir(parents=True, exist_ok=True)
    mid, wav = out.with_suffix(".mid"), out.with_suffix(".wav")
    midi.write(str(mid))
    wav.unlink(missing_ok=True)
    font = checked(soundfont)
    command = [
        fluidsynth,
        *("-ni", "-q", "-g", str(GAIN), "-r", str(rate), "-C", "0"),
        *("-o", "synth.dynamic-sample-loading=1", "-F", str(wav), str(font), str(mid)),
    ]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise MusicError(f"fluidsynth did not finish {mid.name} in {TIMEOUT_SECONDS} s") from None
    if proc.returncode != 0 or not wav.is_file():
        said = (proc.stderr or proc.stdout).decode(errors="replace").strip()[-500:]
        raise MusicError(f"fluidsynth failed on {mid.name} ({proc.returncode}): {said}")
    played_rate, samples = read_wav(wav)
    if played_rate != rate:
        raise MusicError(f"fluidsynth rendered {mid.name} at {played_rate} Hz, not {rate} Hz")
    length = round(seconds * rate)
    fitted = np.zeros(length, np.float32)
    fitted[: min(length, samples.size)] = samples[:length]
    return fitted


def render_stingers(
    request: ScoreRequest, rate: int, out: Path, soundfont: Path = SOUNDFONT
) -> np.ndarray:
    """The request's stingers alone, as they sound in its embedded score (a neural score
    gets them laid over it, so they still land on their cuts)."""
    parts = stingers(request)
    if not parts:
        return np.zeros(round(request.total_seconds * rate), np.float32)
    midi = pretty_midi.PrettyMIDI(initial_tempo=request.mood.tempo)
    midi.instruments = parts
    return render(midi, request.total_seconds, rate, out, soundfont)


@dataclass(frozen=True)
class FluidSynthComposer:
    """The embedded composer: `compose` then `render`, one FluidSynth process per episode,
    through `soundfont` (MICRODRAMA_SOUNDFONT)."""

    soundfont: Path = SOUNDFONT
    neural = False

    def score(
        self, requests: list[ScoreRequest], rate: int, work: Path
    ) -> list[tuple[np.ndarray, bool]]:
        return [
            (render(compose(r), r.total_seconds, rate, work / f"score-{n}", self.soundfont), False)
            for n, r in enumerate(requests)
        ]
