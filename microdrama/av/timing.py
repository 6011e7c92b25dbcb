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


def natural_seconds(lines: list[float]) -> float:
    """A shot's length for its lines alone: lead-in, lines with gaps between them, hold."""
    return max(MIN_SHOT, LEAD_IN + sum(lines) + LINE_GAP * max(len(lines) - 1, 0) + HOLD)


def plan_shots(line_seconds: list[list[float]], target_seconds: float) -> list[ShotTiming]:
    """Shot start/duration and line start times from per-shot lists of line durations."""
    return _lay_out(
        line_seconds, [natural_seconds(lines) for lines in line_seconds], target_seconds
    )


def _lay_out(
    line_seconds: list[list[float]], natural: list[float], target_seconds: float
) -> list[ShotTiming]:
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


def shared_timeline(per_locale: list[list[list[float]]], target_seconds: float) -> list[ShotTiming]:
    """One picture timeline for every locale (per locale, per shot, per line: seconds): each
    shot as long as its longest dub needs; a shorter dub holds. Line starts are the first
    locale's; `place_lines` lays out each locale's own."""
    longest = [
        max(natural_seconds(lines) for lines in takes) for takes in zip(*per_locale, strict=True)
    ]
    return _lay_out(per_locale[0], longest, target_seconds)


MAX_TEMPO = 1.35  # the most a line is sped up to fit a timeline made without it
FIT_MARGIN = 0.1  # seconds a shot's last line ends before the cut, at the least


def place_lines(
    shots: list[ShotTiming], line_seconds: list[list[float]]
) -> tuple[list[float], list[float]]:
    """One locale's lines on the picture's shots: each line's start, and how much it must be
    sped up (1.0: as it is) so that its shot's lines end before the cut. Only a locale dubbed
    after the picture was timed (one added later) may need it."""
    starts, tempos = [], []
    for shot, lines in zip(shots, line_seconds, strict=True):
        room = shot.duration - LEAD_IN - FIT_MARGIN - LINE_GAP * max(len(lines) - 1, 0)
        tempo = max(1.0, sum(lines) / max(room, 1e-3))
        t = shot.start + LEAD_IN
        for seconds in lines:
            starts.append(round(t, 3))
            tempos.append(tempo)
            t += seconds / tempo + LINE_GAP
    return starts, tempos
