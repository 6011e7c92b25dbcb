"""A finished episode's catalog row, read from its artifacts (never from the catalog itself), so
the incremental catalog and one rebuilt from the media store are made by the same function."""

from __future__ import annotations

import json

from microdrama.catalog.retention import episode_status
from microdrama.media import read_json
from microdrama.provenance.verify import package_disclosure
from microdrama.quality.gates import CHECKS, all_passed, recorded
from microdrama.stages import LOCALIZED_SUMMARY, Episode, package_path, variant_paths
from microdrama.words.template import BEATS, SOURCE_LOCALE

# name -> type of every catalog column; JSON columns are text
COLUMNS: dict[str, type] = {
    "key": str,
    "genre": str,
    "series": str,
    "episode_number": int,
    "day": str,
    "minted_at": str,
    "title": str,
    "logline": str,
    "topic": str,
    "seed": int,
    "script_hash": str,
    "shots": int,
    "lines": int,
    "seconds": float,
    "locales": str,
    "poster": str,
    "package": str,  # the HLS master playlist; empty for an episode made before it
    "variants": str,
    "subtitles": str,
    "checks": str,
    "status": str,
    "versions": str,
    # the concept (empty for a fixed-format genre): what the audience loop learns over
    "hook": str,
    "setup": str,
    "twist": str,
    "confrontation": str,
    "cliffhanger": str,
    "cliffhanger_type": str,
    "archetypes": str,  # JSON: role -> archetype
    "setting": str,  # the hook's backdrop
    "stakes": int,
    # JSON: locale -> round-trip estimate of its machine lines ({scored, mean, min, fell_back})
    "translation_quality": str,
    # JSON: the AI label per locale, the filing number, the AIGC content id and the credential's
    # status as the provenance gate read it back ({} for an episode made before the labels)
    "provenance": str,
}
PARTITION_COLUMNS = ("genre", "day")  # in the dataset's folder names, not in its files
FINAL_ARTIFACT = "localized"


class NotFinished(ValueError):
    """The episode has no complete, gated set of artifacts yet."""


# stages an episode made before they existed does not have: absent, they are left out of its row
ADDED_LATER = {"motion", "music"}


def episode_row(ep: Episode) -> dict[str, object]:
    """The episode's row; raises NotFinished unless every stage landed with its gates passed."""
    found = {stage: recorded(ep.fetch(stage)) for stage in CHECKS}
    checks = {s: g for s, g in found.items() if g is not None or s not in ADDED_LATER}
    failing = [stage for stage, gates in checks.items() if not all_passed(gates)]
    if failing:
        raise NotFinished(f"{ep.key}: {', '.join(failing)} not made or not passed")
    premise, script = ep.premise(), ep.script()
    summary = read_json(ep.dir("localized") / LOCALIZED_SUMMARY)
    locales = [SOURCE_LOCALE, *(loc for loc in summary if loc != SOURCE_LOCALE)]
    paths = variant_paths(ep, locales)
    store = ep.store
    return {
        "key": str(ep.key),
        "genre": ep.genre,
        "series": ep.key.series_id,
        "episode_number": ep.key.number,
        "day": premise.minted_at[:10],
        "minted_at": premise.minted_at,
        "title": script.title,
        "logline": script.logline,
        "topic": script.topic,
        "seed": script.seed,
        "script_hash": script.content_hash,
        "shots": len(script.shots),
        "lines": len(script.lines),
        "seconds": read_json(ep.dir("cut") / "timeline.json")["seconds"],
        "locales": ",".join(locales),
        "poster": store.relative(ep.dir("cut") / "poster.jpg"),
        "package": store.relative(package) if (package := package_path(ep)) else "",
        "variants": _json(
            {loc: store.relative(p["video"]) for loc, p in paths.items() if "video" in p}
        ),
        "subtitles": _json({loc: store.relative(p["subtitles"]) for loc, p in paths.items()}),
        "checks": _json(checks),
        "status": episode_status(store, ep.key),
        "versions": _json({stage: store.read_manifest(ep.dir(stage)).digest for stage in checks}),
        **concept_columns(premise.concept),
        "translation_quality": _json(translation_quality(ep, locales)),
        "provenance": _json(provenance(ep, checks.get("localized") or [])),
    }


def provenance(ep: Episode, localized: list[dict]) -> dict[str, object]:
    """What the episode says about its origin (aigc.json beside the package) and whether its
    signed files validated (the localized stage's provenance gate)."""
    signed = next((g for g in localized if g["name"] == "provenance"), None)
    passed, reason = (signed["passed"], signed["reason"]) if signed else (False, "not checked")
    return package_disclosure(ep.dir("localized"), passed, reason)


def translation_quality(ep: Episode, locales: list[str]) -> dict[str, dict]:
    """Each shipped target locale's reference-free translation estimate, as the voice stage
    measured it (absent for an episode made before the estimate existed)."""
    summary = ep.fetch("voice") / "summary.json"
    if not summary.exists():  # an episode of the scheme before per-locale dubs
        return {}
    dubbed = read_json(summary)["locales"]
    return {
        loc: dubbed[loc]["quality"]
        for loc in locales
        if loc != SOURCE_LOCALE and "quality" in dubbed.get(loc, {})
    }


def concept_columns(concept: dict) -> dict[str, object]:
    tropes = concept.get("tropes", {})
    return {
        **{beat: tropes.get(beat, "") for beat in BEATS},
        "cliffhanger_type": concept.get("cliffhanger", ""),
        "archetypes": _json(concept.get("archetypes", {})),
        "setting": concept.get("places", {}).get("hook", ""),
        "stakes": int(concept.get("stakes", 0)),
    }


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
