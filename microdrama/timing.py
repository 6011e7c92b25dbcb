"""One timing rule for the script's estimate and the cut's real audio: speech drives the shots.

Each shot lasts as long as its lines plus a short lead-in and hold; if the episode comes out
shorter than the template's target runtime, the extra time goes to the holds, never into speech.
"""

from __future__ import annotations

from dataclasses import dataclass

LEAD_IN = 0.25
LINE_GAP = 0.3
HOLD = 0.45
MIN_SHOT = 1.8


@dataclass(frozen=True)
class ShotTiming:
    start: float
    duration: float
    line_starts: list[float]  # absolute seconds, one per line

    @property
    def end(self) -> float:
        return self.start + self.duration


def plan_shots(line_seconds: list[list[float]], target_seconds: float) -> list[ShotTiming]:
    """Shot start/duration and line start times from per-shot lists of line durations."""
    natural = [
        max(MIN_SHOT, LEAD_IN + sum(lines) + LINE_GAP * max(len(lines) - 1, 0) + HOLD)
        for lines in line_seconds
    ]
    extra = max(0.0, target_seconds - sum(natural)) / max(len(natural), 1)
    timings, clock = [], 0.0
    for lines, base in zip(line_seconds, natural, strict=True):
        starts, t = [], clock + LEAD_IN
        for seconds in lines:
            starts.append(round(t, 3))
            t += seconds + LINE_GAP
        timings.append(ShotTiming(round(clock, 3), round(base + extra, 3), starts))
        clock += base + extra
    return timings
