"""Quality gates: what an artifact must satisfy before it replaces the last good one.

Every episode stage builds its artifact in a staging folder, runs its gates there and swaps
the folder in only if all pass; otherwise `GateFailure` aborts the swap, so the previous good
artifact, and the catalog row built from it, stay as they were. The Dagster assets report
each gate as a blocking asset check, with the reason.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from microdrama.av.ffmpeg import probe
from microdrama.av.loudness import (
    MAX_TRUE_PEAK_DBTP,
    TARGET_LUFS,
    TOLERANCE_LU,
    decode_audio,
    integrated_loudness,
    true_peak,
)
from microdrama.av.timing import MAX_TEMPO
from microdrama.av.wav import read_wav
from microdrama.words.content_policy import ContentPolicy
from microdrama.words.story import Premise, Script
from microdrama.words.template import GenreTemplate
from microdrama.words.text import (
    CUE_LINES,
    READING_CPS,
    READING_CPS_BY_LANGUAGE,
    ColumnLayout,
    Layout,
    display_width,
    is_wide,
    line_columns,
    reading_chars,
    reading_cps,
)

CHECKS_FILE = "checks.json"
HOOK_SHOTS = 2
RUNTIME_BOUNDS = (0.8, 1.5)  # times the template's runtime
MIN_LUMA_STD = 6.0
MIN_RMS_DBFS = -45.0
DURATION_TOLERANCE = 0.25  # seconds between the container and the timed script

_CUES = {
    "cues": "subtitle cues are ordered, never overlap and end inside the video",
    "captions_fit": f"every cue shows at most {CUE_LINES} rows as laid out on screen, each "
    "within the frame and its script's width (42 columns Latin, 16 CJK characters); a longer "
    "line is split into more cues first",
    "reading_speed": "no cue asks for more characters a second than its language's reading "
    f"speed ({READING_CPS_BY_LANGUAGE['en']:g} English, {READING_CPS['spaced']:g} other Latin "
    f"scripts, {READING_CPS['wide']:g} CJK); a fast one is held into the pause after it first",
}
_SPEECH = {
    "audible": "every dialogue clip is audible (not silent)",
    "plausible_duration": "every clip's duration is plausible for its text",
}
_POLICY = {"content_policy": "no term of the locale's content-policy blocklist"}
_ALL_LOCALES = {
    "all_locales": "every configured locale shipped; one that fails a gate above is left "
    "out of the episode and the others ship (a warning, not blocking)",
}

CHECKS: dict[str, dict[str, str]] = {
    "premise": _POLICY,
    "script": {
        "hook": f"the first line is spoken within the first {HOOK_SHOTS} shots of the hook beat",
        "cliffhanger": "the episode ends on a cliffhanger beat with a spoken line",
        "speakers": "every line is spoken by a character of the cast",
        "bounds": "shot count and runtime within the template's bounds",
        "no_empty_lines": "no empty line, title or logline",
        "continuity": "a series episode keeps its bible's cast, looks and voices, and its hook "
        "answers the previous cliffhanger within the first 2 shots",
        **_POLICY,
    },
    "frames": {
        "one_per_shot": "one keyframe per shot",
        "size": "every keyframe has the configured 9:16 size",
        "not_blank": "no keyframe is blank or near-uniform",
    },
    "voice": {
        "translated": "every line translated (only names may stay in the source language); "
        "a machine's line that keeps too little of its meaning on the round trip back to "
        "English falls back to a phrasebook line of its beat, or the locale is left out",
        **_SPEECH,
        **_POLICY,
        **_ALL_LOCALES,
    },
    "motion": {
        "clips": "every motion clip has its shot's duration, size and frame rate and moves "
        "(not frozen, not blank); a shot without one pans its still",
        "mouths": "in the motion comic, a character's mouth opens only while one of its lines "
        "sounds in the source dub, and every line opens its speaker's mouth",
    },
    "cut": {
        "encoding": "every rung of the picture is H.264 yuv420p at its 9:16 size",
        "duration": "the picture lasts as long as the shared timeline",
        "segments": "the rungs' segments line up, so a player can switch between them",
        "moving": "no shot of the delivered picture, decoded, holds one frame for longer than "
        "the timeline's closing hold",
        "provenance": "every rung opens with the AI label, carries the AIGC record in its init "
        "segment and a C2PA sidecar manifest that validates against its bytes",
    },
    "music": {
        "length": "the score lasts as long as the picture",
        "stingers_on_cuts": "a stinger sounds within 0.1 s of the twist's and the "
        "cliffhanger's first cut (its onset found in the audio)",
    },
    "localized": {
        "fits": "every line fits the picture's timeline (sped up by at most "
        f"{MAX_TEMPO:g}x for a locale added after the picture was made)",
        "duration": "each locale's sound rendition lasts as long as the picture (0.1 s)",
        "loudness": f"each sound rendition is AAC at {TARGET_LUFS:g} LUFS within "
        f"{TOLERANCE_LU:g} LU (EBU R128)",
        "true_peak": f"each sound rendition, decoded, peaks at or below {MAX_TRUE_PEAK_DBTP:g} "
        "dBTP (4x oversampled, BS.1770-4)",
        "music_under_speech": "the score sits at least 12 dB under the dialogue while someone "
        "speaks (sidechain ducking)",
        "music_audible": "between lines the score is audible (above -40 dBFS)",
        **_CUES,
        "burned_in": "a burned-in MP4, where configured, passes encoding, duration, A/V sync, "
        "loudness, true peak and caption gates, measured on the decoded file",
        "package": "the master playlist parses, has the ladder and one audio and one subtitle "
        "rendition per shipped locale with its language, and renditions of equal length",
        "provenance": "every delivered file carries the AIGC record (each burned-in MP4, each "
        "init segment, the master playlist's session data and aigc.json) and a C2PA manifest "
        "that validates (embedded in each MP4, a sidecar for each fMP4 rendition)",
        **_ALL_LOCALES,
    },
}
NON_BLOCKING = {"all_locales"}  # reported and visible, but they never hold an artifact back


@dataclass(frozen=True)
class Continuity:
    """What a series episode must keep: the bible's cast, and the previous cliffhanger's answer."""

    cast: dict[str, dict]  # role -> {name, look, voice} from the series bible
    answer: list[str]  # line patterns that answer the previous cliffhanger; empty for a pilot


@dataclass(frozen=True)
class Gate:
    name: str
    passed: bool
    reason: str
    metadata: dict[str, float | int | str] = field(default_factory=dict)


class GateFailure(RuntimeError):
    """An artifact failed a gate; it was not swapped in."""

    def __init__(self, artifact: str, gates: list[Gate]):
        self.artifact, self.gates = artifact, gates
        failed = "; ".join(f"{g.name}: {g.reason}" for g in gates if not g.passed)
        super().__init__(f"{artifact} rejected, the last good one is kept ({failed})")


def gate(name: str, problems: list[str], ok: str, **metadata: float | int | str) -> Gate:
    """A gate that passes when there are no problems; its reason lists the first few."""
    more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    shown = "; ".join(problems[:5]) + more
    return Gate(name, not problems, shown or ok, metadata)


def seal(artifact: str, gates: list[Gate], folder: Path) -> list[Gate]:
    """Raise if any gate failed; else record the gates in the staged folder's checks.json."""
    expected = list(CHECKS[artifact])
    if [g.name for g in gates] != expected:
        raise ValueError(f"{artifact}: gates {[g.name for g in gates]} != checks {expected}")
    if not all(g.passed for g in gates if g.name not in NON_BLOCKING):
        raise GateFailure(artifact, gates)
    (folder / CHECKS_FILE).write_text(json.dumps([asdict(g) for g in gates], ensure_ascii=False))
    return gates


def recorded(folder: Path) -> list[dict] | None:
    """The gates a landed artifact folder carries, or None if it has none."""
    path = folder / CHECKS_FILE
    return json.loads(path.read_text()) if path.exists() else None


def passed(folder: Path) -> bool:
    """Whether a landed artifact folder carries gates that all passed."""
    return all_passed(recorded(folder))


def all_passed(gates: list[dict] | None) -> bool:
    """Whether every blocking gate passed (a warning, such as a locale left out, does not count)."""
    return gates is not None and all(g["passed"] for g in gates if g["name"] not in NON_BLOCKING)


def locales_gate(left_out: dict[str, list[str]], shipped: list[str]) -> Gate:
    """Which target locales were left out of the episode, and why; the rest shipped."""
    problems = [f"{locale} left out ({'; '.join(why)})" for locale, why in left_out.items()]
    ok = f"shipped {', '.join(shipped)}" if shipped else "no target locale"
    return gate("all_locales", problems, ok, shipped=len(shipped), left_out=len(left_out))


def merge(by_locale: dict[str, list[Gate]]) -> list[Gate]:
    """One gate per name over several locales: it passes only if every locale passes."""
    names = [g.name for g in next(iter(by_locale.values()))]
    merged = []
    for i, name in enumerate(names):
        per = {loc: gates[i] for loc, gates in by_locale.items()}
        failing = [f"{loc}: {g.reason}" for loc, g in per.items() if not g.passed]
        metadata = {f"{loc}.{k}": v for loc, g in per.items() for k, v in g.metadata.items()}
        ok = "; ".join(f"{loc}: {g.reason}" for loc, g in per.items())
        merged.append(gate(name, failing, ok, **metadata))
    return merged


def policy_gate(policy: ContentPolicy, locale: str, texts: dict[str, str]) -> Gate:
    problems = [
        f"{where} contains blocked term {term!r}"
        for where, text in texts.items()
        for term in policy.hits(text, locale)
    ]
    return gate("content_policy", problems, f"{policy.size(locale)} {locale} terms, no hit")


def premise_gates(premise: Premise, policy: ContentPolicy, locale: str) -> list[Gate]:
    texts = {"title": premise.title, "logline": premise.logline, "topic": premise.topic}
    return [policy_gate(policy, locale, texts)]


def continuity_gate(script: Script, template: GenreTemplate, continuity: Continuity | None) -> Gate:
    if continuity is None:
        return gate("continuity", [], "a fixed-format episode: no series bible to keep")
    problems = []
    for role, member in continuity.cast.items():
        if script.cast.get(role) != member["name"]:
            problems.append(
                f"{role} is {script.cast.get(role)!r}, the bible says {member['name']!r}"
            )
            continue
        who = template.character(role)
        if who.look.model_dump() != member["look"] or who.voice.model_dump() != member["voice"]:
            problems.append(f"{member['name']}'s look or voice differs from the bible")
    if continuity.answer:
        opening = [line.pattern for shot in script.shots[:HOOK_SHOTS] for line in shot.lines]
        if not set(opening) & set(continuity.answer):
            problems.append(
                f"the first {HOOK_SHOTS} shots do not answer the previous episode's cliffhanger"
            )
    ok = "cast as in the bible" + (", the cliffhanger answered" if continuity.answer else "")
    return gate("continuity", problems, ok)


def script_gates(
    script: Script,
    template: GenreTemplate,
    policy: ContentPolicy,
    locale: str,
    continuity: Continuity | None = None,
) -> list[Gate]:
    spoken = [shot.index for shot, _ in script.lines]
    hook = []
    if not script.shots or script.shots[0].beat != "hook":
        hook.append("the episode does not open on the hook beat")
    if not spoken or spoken[0] >= HOOK_SHOTS:
        where = f"shot {spoken[0] + 1}" if spoken else "no shot"
        hook.append(f"the first line comes in {where}; the hook must speak by shot {HOOK_SHOTS}")
    ending = [s for s in script.shots if s.beat == "cliffhanger"]
    cliff = []
    if not script.shots or script.shots[-1].beat != "cliffhanger":
        cliff.append("the last shot is not in the cliffhanger beat")
    if not any(shot.lines for shot in ending):
        cliff.append("the cliffhanger beat has no spoken line")
    speakers = [
        f"shot {shot.index + 1}: {line.speaker!r} is not in the cast"
        for shot, line in script.lines
        if line.speaker not in script.cast
    ]
    low, high = (round(template.runtime_seconds * f, 1) for f in RUNTIME_BOUNDS)
    bounds = []
    if len(script.shots) != template.shot_count:
        bounds.append(f"{len(script.shots)} shots, the template fixes {template.shot_count}")
    if not low <= script.runtime_seconds <= high:
        bounds.append(f"runtime {script.runtime_seconds:.1f}s is outside {low}-{high}s")
    empty = [
        f"shot {shot.index + 1}: empty line by {line.speaker}"
        for shot, line in script.lines
        if not line.text.strip()
    ] + [name for name in ("title", "logline") if not getattr(script, name).strip()]
    texts = {"title": script.title, "logline": script.logline, "topic": script.topic}
    for shot in script.shots:
        texts[f"shot {shot.index + 1} action"] = shot.action
        for n, line in enumerate(shot.lines):
            texts[f"shot {shot.index + 1} line {n + 1}"] = line.text
    return [
        gate("hook", hook, f"first line in shot {spoken[0] + 1 if spoken else '-'}"),
        gate("cliffhanger", cliff, "ends on the cliffhanger"),
        gate("speakers", speakers, f"{len(script.lines)} lines, all by the cast"),
        gate(
            "bounds",
            bounds,
            f"{len(script.shots)} shots, {script.runtime_seconds:.1f}s within {low}-{high}s",
            shots=len(script.shots),
            runtime_seconds=script.runtime_seconds,
        ),
        gate("no_empty_lines", empty, "no empty text"),
        continuity_gate(script, template, continuity),
        policy_gate(policy, locale, texts),
    ]


def luma_spread(image: Image.Image) -> float:
    """Standard deviation of brightness on a thumbnail: near zero for a blank picture."""
    luma = np.asarray(image.convert("L").resize((90, 160)), dtype=np.float32)
    return float(luma.std())


def frames_gates(paths: list[Path], shots: int, width: int, height: int) -> list[Gate]:
    sizes, blank, spreads = [], [], []
    for path in paths:
        with Image.open(path) as image:
            if image.size != (width, height):
                sizes.append(f"{path.name} is {image.size[0]}x{image.size[1]}")
            spreads.append(luma_spread(image))
        if spreads[-1] < MIN_LUMA_STD:
            blank.append(f"{path.name} is near-uniform (luma spread {spreads[-1]:.1f})")
    count = [] if len(paths) == shots else [f"{len(paths)} keyframes for {shots} shots"]
    return [
        gate("one_per_shot", count, f"{shots} keyframes"),
        gate("size", sizes, f"all {width}x{height}"),
        gate(
            "not_blank",
            blank,
            f"least luma spread {min(spreads, default=0):.1f}",
            min_luma_spread=round(min(spreads, default=0.0), 2),
        ),
    ]


def speech_units(text: str) -> int:
    """Rough syllable weight: a CJK character counts like three letters."""
    return sum(3 if is_wide(c) else 1 for c in text if c.isalnum())


def plausible_seconds(text: str) -> tuple[float, float]:
    """The shortest and longest believable reading of `text`, in seconds."""
    units = speech_units(text)
    return 0.03 * units, 1.5 + 0.35 * units


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level of samples in -1..1, in dBFS (-120 for silence)."""
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    return 20 * math.log10(rms) if rms > 0 else -120.0


def speech_gates(clips: list[dict], folder: Path) -> list[Gate]:
    """Clips as recorded in lines.json: file, text and seconds."""
    silent, odd, levels = [], [], []
    for n, clip in enumerate(clips, 1):
        _, samples = read_wav(folder / clip["file"])
        level = level_dbfs(samples)
        levels.append(level)
        if level < MIN_RMS_DBFS:
            silent.append(f"line {n} is silent ({level:.0f} dBFS)")
        low, high = plausible_seconds(clip["text"])
        if not low <= clip["seconds"] <= high:
            odd.append(f"line {n} lasts {clip['seconds']:.2f}s, expected {low:.1f}-{high:.1f}s")
    return [
        gate(
            "audible",
            silent,
            f"{len(clips)} clips, quietest {min(levels, default=0):.0f} dBFS",
            quietest_dbfs=round(min(levels, default=0.0), 1),
        ),
        gate("plausible_duration", odd, f"{len(clips)} clips within bounds"),
    ]


def media_gates(
    video: Path, timeline: dict, width: int, height: int, layout: Layout | None = None
) -> list[Gate]:
    """The rendered MP4 against its timeline: codecs, size, duration, sync, loudness and true
    peak of its decoded sound, cues as `layout` draws them."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        sound = pool.submit(decode_audio, video)  # decoded while ffprobe reads the container
        info = probe(video)
        streams = {s["codec_type"]: s for s in info["streams"]}
        a = streams.get("audio", {})
        samples = sound.result().reshape(-1, int(a["channels"])) if a else None
    v = streams.get("video", {})
    encoding = []
    if v.get("codec_name") != "h264" or v.get("pix_fmt") != "yuv420p":
        encoding.append(f"video is {v.get('codec_name')}/{v.get('pix_fmt')}, not h264/yuv420p")
    if (v.get("width"), v.get("height")) != (width, height):
        encoding.append(f"video is {v.get('width')}x{v.get('height')}, not {width}x{height}")
    if a.get("codec_name") != "aac":
        encoding.append(f"audio is {a.get('codec_name')}, not aac")
    seconds = float(info["format"].get("duration", 0))
    drift = abs(seconds - timeline["seconds"])
    duration = (
        []
        if drift <= DURATION_TOLERANCE
        else [f"{seconds:.2f}s in the file, {timeline['seconds']:.2f}s in the timed script"]
    )
    v_end, a_end = float(v.get("duration", 0)), float(a.get("duration", 0))
    fps = _frame_rate(v.get("avg_frame_rate", "0/1"))
    sync_limit = max(0.1, 2 / fps) if fps else 0.1
    sync = (
        []
        if abs(v_end - a_end) <= sync_limit
        else [f"video ends at {v_end:.2f}s, audio at {a_end:.2f}s"]
    )
    rate = int(a.get("sample_rate", 48000))
    lufs = float("-inf") if samples is None else integrated_loudness(samples, rate)
    loud = (
        []
        if abs(lufs - TARGET_LUFS) <= TOLERANCE_LU
        else [f"{lufs:.1f} LUFS, target {TARGET_LUFS:g} ± {TOLERANCE_LU:g}"]
    )
    return [
        gate("encoding", encoding, f"h264 {width}x{height} + aac"),
        gate("duration", duration, f"{seconds:.2f}s", seconds=round(seconds, 3)),
        gate("av_sync", sync, f"ends differ by {abs(v_end - a_end):.3f}s"),
        gate("loudness", loud, f"{lufs:.1f} LUFS", lufs=round(lufs, 2)),
        peak_gate(samples, rate),
        *cue_gates(timeline, seconds, layout),
    ]


def peak_gate(samples: np.ndarray | None, rate: int) -> Gate:
    """The decoded sound's true peak against the delivery ceiling: what a player's DAC
    rebuilds, after the encoder's own overshoot, not the mix that went into it."""
    peak = float("-inf") if samples is None else true_peak(samples, rate)
    problems = (
        []
        if peak <= MAX_TRUE_PEAK_DBTP
        else [f"true peak {peak:+.2f} dBTP, at most {MAX_TRUE_PEAK_DBTP:g}"]
    )
    return gate("true_peak", problems, f"true peak {peak:.2f} dBTP", dbtp=round(peak, 2))


def cue_gates(timeline: dict, seconds: float, layout: Layout | None = None) -> list[Gate]:
    """A locale's cues (timeline `cues`, `locale`) against a picture of `seconds`, laid out as
    `layout` breaks them into rows (the burned-in painter's; by default by columns alone)."""
    locale, found = timeline["locale"], timeline["cues"]
    layout = layout or ColumnLayout(line_columns(locale))
    cues, clock = [], 0.0
    for n, cue in enumerate(found, 1):
        if cue["end"] <= cue["start"]:
            cues.append(f"cue {n} ends before it starts")
        if cue["start"] < clock:
            cues.append(f"cue {n} starts at {cue['start']:.2f}s, before cue {n - 1} ends")
        clock = max(clock, cue["end"])
    if clock > seconds + DURATION_TOLERANCE:
        cues.append(f"the last cue ends at {clock:.2f}s, after the video")
    fit, most = [], 0
    for n, cue in enumerate(found, 1):
        rows = layout.wrap(cue["text"])
        most = max(most, len(rows))
        if len(rows) > CUE_LINES:
            fit.append(f"cue {n} takes {len(rows)} rows, at most {CUE_LINES}")
        fit += [
            f"cue {n}: {row[:30]!r} is wider than a row" for row in rows if not layout.fits(row)
        ]
    limit, speeds = reading_cps(locale), []
    for cue in found:
        span = cue["end"] - cue["start"]
        speeds.append(reading_chars(cue["text"]) / span if span > 0 else float("inf"))
    fast = [
        f"cue {n} asks for {cps:.1f} characters a second, at most {limit:g}"
        for n, cps in enumerate(speeds, 1)
        if cps > limit + READING_SLACK
    ]
    widest = max((display_width(c["text"]) for c in found), default=0)
    fastest = round(max(speeds, default=0.0), 1)
    return [
        gate("cues", cues, f"{len(found)} cues in order"),
        gate("captions_fit", fit, f"at most {most} rows a cue", rows=most, columns=widest),
        gate("reading_speed", fast, f"at most {fastest:g} characters a second", cps=fastest),
    ]


READING_SLACK = 0.1  # characters a second: cue times are kept to the millisecond, so a cue
# re-timed to the limit exactly can measure a hair over it


def _frame_rate(rate: str) -> float:
    """ffprobe's '24/1' frame rate as a number."""
    num, _, den = rate.partition("/")
    return float(num) / float(den or 1) if float(den or 1) else 0.0


def translation_gate(lines: list[dict], names: set[str]) -> Gate:
    """lines: source, text and method per line (and `quality`, the round-trip estimate of a
    machine's line); a line may stay in the source only as names, and a machine's line under
    the estimate's threshold with no phrasebook line of its beat to fall back to fails."""
    left, low = [], []
    for n, line in enumerate(lines, 1):
        if line["method"] == "untranslated" or (
            line["text"].strip() == line["source"].strip() and not only_names(line["text"], names)
        ):
            left.append(f"line {n} is still in the source language: {line['text'][:60]!r}")
        elif line["method"] == "low_quality":
            low.append(
                f"line {n} {line['text'][:40]!r} keeps {line.get('quality', 0):.2f} of its "
                "meaning on the round trip, and its beat has no phrasebook line"
            )
    scores = [line["quality"] for line in lines if line.get("quality") is not None]
    fell_back = sum(line["method"] == "fallback" for line in lines)
    ok = f"{len(lines)} lines translated" + (
        f"; {len(scores)} by machine, round trip {min(scores):.2f} at worst" if scores else ""
    )
    if fell_back:
        ok += f", {fell_back} fell back to the phrasebook"
    return gate(
        "translated",
        left + low,
        ok,
        quality_min=round(min(scores, default=1.0), 3),
        quality_mean=round(sum(scores) / len(scores), 3) if scores else 1.0,
        fell_back=fell_back,
    )


def only_names(text: str, names: set[str]) -> bool:
    """Whether `text` holds nothing but names and punctuation."""
    rest = text.casefold()
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name.casefold(), " ")
    return not any(char.isalpha() for char in rest)
