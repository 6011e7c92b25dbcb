"""The implicit label: GB 45438-2025's `AIGC` metadata record, written into every delivered
file and read back from it.

The record is a JSON object with seven fields (Label, ContentProducer, ProduceID,
ReservedCode1, ContentPropagator, PropagateID, ReservedCode2) under the key `AIGC`. An MP4
carries it twice: as an `AIGC` key (an `mdta` key, written with `-movflags use_metadata_tags`),
the standard's own name, and in the `comment` tag as `AIGC {...}`, because a plain
`ffmpeg -i in.mp4 -c copy out.mp4` drops keys the muxer has no atom for but keeps `comment`.
An HLS package carries it in every init segment's `comment`, in the master playlist as
`EXT-X-SESSION-DATA` (pointing at `aigc.json`, since a session-data VALUE cannot hold quotes)
and in `aigc.json` beside the master playlist.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import m3u8

from microdrama.av.ffmpeg import probe
from microdrama.provenance.label import Disclosure

AIGC_KEY = "AIGC"
COMMENT_PREFIX = "AIGC "
AIGC_FILE = "aigc.json"
SESSION_DATA_ID = "com.microdrama.aigc"
FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
GENERATED = "1"  # Label: the content is AI-generated or synthesized (not "may be": we made it)


def produce_id(episode_key: str, digest: str) -> str:
    """A stable content id: the episode key and the digest of what its picture is made from."""
    return f"{episode_key}#{digest[:16]}"


def check_code(label: str, producer: str, content_id: str) -> str:
    """ReservedCode1: a check code over the producer's fields (the standard leaves this field to
    the producer for protection information); a record edited by hand no longer matches it."""
    return hashlib.sha256(f"{label}|{producer}|{content_id}".encode()).hexdigest()[:32]


def aigc_record(disclosure: Disclosure, content_id: str) -> dict[str, str]:
    """The seven-field record for a file of the episode whose content id is `content_id`."""
    return {
        "Label": GENERATED,
        "ContentProducer": disclosure.producer,
        "ProduceID": content_id,
        "ReservedCode1": check_code(GENERATED, disclosure.producer, content_id),
        "ContentPropagator": disclosure.propagator,
        "PropagateID": disclosure.propagate_id,
        "ReservedCode2": "",
    }


def aigc_tags(record: dict[str, str]) -> dict[str, str]:
    """The record as an MP4's global tags: its own `AIGC` key and a `comment` copy."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return {AIGC_KEY: text, "comment": COMMENT_PREFIX + text}


def record_problems(record: dict | None) -> list[str]:
    """What is wrong with a record read back: missing, a field missing, not labelled as
    generated, no producer or id, or a check code that does not match its fields."""
    if record is None:
        return ["no AIGC record"]
    problems = [f"AIGC field {name} missing" for name in FIELDS if name not in record]
    if problems:
        return problems
    if record["Label"] != GENERATED:
        problems.append(f"AIGC Label is {record['Label']!r}, not {GENERATED!r} (generated)")
    if not record["ContentProducer"] or not record["ProduceID"]:
        problems.append("AIGC ContentProducer or ProduceID is empty")
    expected = check_code(record["Label"], record["ContentProducer"], record["ProduceID"])
    if record["ReservedCode1"] != expected:
        problems.append("AIGC ReservedCode1 does not match the record's fields")
    return problems


def _parse(text: str | None) -> dict | None:
    try:
        found = json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


def probe_record(path: Path) -> dict | None:
    """The record as ffprobe reads an MP4's tags: the `AIGC` key, else the comment."""
    tags = {k.lower(): v for k, v in probe(path).get("format", {}).get("tags", {}).items()}
    found = _parse(tags.get(AIGC_KEY.lower()))
    comment = tags.get("comment", "")
    if found is None and comment.startswith(COMMENT_PREFIX):
        found = _parse(comment[len(COMMENT_PREFIX) :])
    return found


def _moov(path: Path) -> bytes | None:
    """The `moov` box's payload, found by walking the top-level boxes (none: not an MP4)."""
    with path.open("rb") as f:
        while len(head := f.read(8)) == 8:
            size, kind = struct.unpack(">I4s", head)
            header = 8
            if size == 1:
                size, header = struct.unpack(">Q", f.read(8))[0], 16
            if size < header:  # 0: the box runs to the end of the file (only mdat does)
                return None
            if kind == b"moov":
                return f.read(size - header)
            f.seek(size - header, 1)
    return None


def read_media_record(path: Path) -> dict | None:
    """The record in an MP4 or fMP4 init segment: the `AIGC {...}` comment inside its `moov`
    box, read without starting ffprobe (the gate reads every delivered file; ffprobe costs a
    tenth of a second a file, this a millisecond). `probe_record` reads it the ffprobe way."""
    moov = _moov(path)
    at = moov.find(COMMENT_PREFIX.encode()) if moov else -1
    if moov is None or at < 0:
        return None
    try:
        found, _ = json.JSONDecoder().raw_decode(
            moov[at + len(COMMENT_PREFIX) :].decode(errors="replace")
        )
    except json.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


def read_master_record(master: Path) -> dict | None:
    """The record a master playlist points at with its AIGC EXT-X-SESSION-DATA."""
    playlist = m3u8.load(str(master))
    for data in playlist.session_data:
        if data.data_id == SESSION_DATA_ID and data.uri:
            return read_json_record(master.parent / data.uri)
    return None


def read_json_record(path: Path) -> dict | None:
    """The record in aigc.json (under its `AIGC` key), or a bare record file."""
    found = _parse(path.read_text()) if path.exists() else None
    return found.get(AIGC_KEY, found) if found else None


def read_record(path: Path) -> dict | None:
    """The AIGC record of any delivered file: an MP4 or init segment, a master playlist, or
    an aigc.json; None where there is none."""
    if path.suffix == ".json":
        return read_json_record(path)
    if path.suffix == ".m3u8":
        return read_master_record(path)
    return read_media_record(path)
