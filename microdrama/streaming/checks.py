"""Gates of the HLS package: the picture's rungs, each locale's sound, and the master playlist
as a parser (the `m3u8` package) and ffprobe see them."""

from __future__ import annotations

from pathlib import Path

import m3u8

from microdrama.av.ffmpeg import probe
from microdrama.av.loudness import TARGET_LUFS, TOLERANCE_LU, decode_audio, integrated_loudness
from microdrama.quality.gates import DURATION_TOLERANCE, Gate, gate, peak_gate
from microdrama.streaming.ladder import PLAYLIST, Rung
from microdrama.streaming.master import AUDIO_GROUP, SUBTITLES_GROUP

RENDITION_TOLERANCE = 0.1  # seconds between any two renditions of one package


def playlist_seconds(path: Path) -> float:
    """A media playlist's length: the sum of its segments' durations."""
    return sum(segment.duration for segment in m3u8.load(str(path)).segments)


def picture_gates(folder: Path, rungs: list[Rung], seconds: float) -> list[Gate]:
    """The ladder against the shared timeline: codec and size per rung, duration, aligned
    segments (so a player can switch rungs at any segment)."""
    encoding, duration, segments = [], [], []
    cuts = {}
    for rung in rungs:
        playlist = folder / rung.name / PLAYLIST
        if not playlist.exists():
            encoding.append(f"{rung.name}: no playlist")
            continue
        v = next(s for s in probe(playlist)["streams"] if s["codec_type"] == "video")
        if (v.get("codec_name"), v.get("pix_fmt")) != ("h264", "yuv420p"):
            encoding.append(f"{rung.name} is {v.get('codec_name')}/{v.get('pix_fmt')}")
        if (v.get("width"), v.get("height")) != (rung.width, rung.height):
            encoding.append(f"{rung.name} is {v.get('width')}x{v.get('height')}")
        length = playlist_seconds(playlist)
        if abs(length - seconds) > DURATION_TOLERANCE:
            duration.append(f"{rung.name} lasts {length:.2f}s, the timeline {seconds:.2f}s")
        cuts[rung.name] = [round(s.duration, 3) for s in m3u8.load(str(playlist)).segments]
    if len({tuple(c) for c in cuts.values()}) > 1:
        segments.append(f"segments differ between rungs: {cuts}")
    sizes = ", ".join(f"{r.width}x{r.height}" for r in rungs)
    count = max((len(c) for c in cuts.values()), default=0)
    return [
        gate("encoding", encoding, f"h264 {sizes}"),
        gate("duration", duration, f"{seconds:.2f}s", seconds=round(seconds, 3)),
        gate("segments", segments, f"{count} aligned segments per rung", segments=count),
    ]


def sound_gates(playlist: Path, seconds: float) -> list[Gate]:
    """One locale's audio rendition, decoded as a player decodes it: as long as the picture,
    at the loudness target, its true peak under the delivery ceiling."""
    length = playlist_seconds(playlist)
    codec = next(s for s in probe(playlist)["streams"] if s["codec_type"] == "audio")
    samples = decode_audio(playlist).reshape(-1, int(codec["channels"]))
    lufs = integrated_loudness(samples, int(codec["sample_rate"]))
    drift = abs(length - seconds)
    return [
        gate(
            "duration",
            [] if drift <= RENDITION_TOLERANCE else [f"{length:.2f}s, picture {seconds:.2f}s"],
            f"{length:.2f}s",
            seconds=round(length, 3),
        ),
        gate(
            "loudness",
            []
            if abs(lufs - TARGET_LUFS) <= TOLERANCE_LU and codec["codec_name"] == "aac"
            else [f"{codec['codec_name']} at {lufs:.1f} LUFS, target aac at {TARGET_LUFS:g}"],
            f"{lufs:.1f} LUFS",
            lufs=round(lufs, 2),
        ),
        peak_gate(samples, int(codec["sample_rate"])),
    ]


def package_gate(master: Path, locales: list[str]) -> Gate:
    """The master playlist as a player reads it: at least two rungs, one audio and one subtitle
    rendition per shipped locale with its language, every URI present, equal durations."""
    problems = []
    parsed = m3u8.load(str(master))
    rungs = [p for p in parsed.playlists if p.stream_info.resolution]
    if len(rungs) < 2:
        problems.append(f"{len(rungs)} video rung(s), expected a ladder")
    lengths = {f"video {p.stream_info.resolution}": p.uri for p in rungs}
    for kind, group in (("AUDIO", AUDIO_GROUP), ("SUBTITLES", SUBTITLES_GROUP)):
        found = [m for m in parsed.media if m.type == kind and m.group_id == group]
        languages = sorted(m.language for m in found)
        if languages != sorted(locales):
            problems.append(f"{kind.lower()} renditions {languages}, expected {sorted(locales)}")
        lengths |= {f"{kind.lower()} {m.language}": m.uri for m in found}
    seconds = {}
    for name, uri in lengths.items():
        path = (master.parent / uri).resolve()
        if not path.exists():
            problems.append(f"{name}: {uri} is missing")
            continue
        seconds[name] = playlist_seconds(path)
    if seconds and max(seconds.values()) - min(seconds.values()) > RENDITION_TOLERANCE:
        spread = ", ".join(f"{name} {s:.2f}s" for name, s in seconds.items())
        problems.append(f"renditions differ in length: {spread}")
    return gate(
        "package",
        problems,
        f"{len(rungs)} rungs, {len(locales)} locales",
        rungs=len(rungs),
        locales=len(locales),
    )
