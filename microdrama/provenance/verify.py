"""Reading a delivered file's provenance back: its AIGC record and its C2PA manifest, for the
`provenance` gate and `microdrama verify`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import m3u8

from microdrama.provenance.aigc import (
    AIGC_FILE,
    AIGC_KEY,
    read_master_record,
    read_media_record,
    record_problems,
)
from microdrama.provenance.credentials import Validation, validate_file, validate_rendition
from microdrama.quality.gates import Gate, gate


@dataclass(frozen=True)
class FileCheck:
    """One delivered file (or fMP4 rendition) as read back."""

    path: Path
    record: dict | None
    problems: list[str]
    credential: Validation

    @property
    def ok(self) -> bool:
        return not self.problems and self.credential.ok

    def lines(self) -> list[str]:
        """What `microdrama verify` prints for it."""
        out = [f"{self.path}: {'OK' if self.ok else 'FAILED'}"]
        if self.record:
            out += [f"  AIGC {name}: {value}" for name, value in self.record.items()]
        out += [f"  AIGC problem: {p}" for p in self.problems]
        out.append(f"  C2PA: {self.credential.status}")
        return out


def check_mp4(path: Path) -> FileCheck:
    """A burned-in MP4: its tags' record, its embedded manifest."""
    record = read_media_record(path)
    return FileCheck(path, record, record_problems(record), validate_file(path))


def check_rendition(playlist: Path) -> FileCheck:
    """An fMP4 rendition: its init segment's record, its sidecar manifest over all its bytes."""
    parsed = m3u8.load(str(playlist))
    init = playlist.parent / (parsed.segment_map[0].uri if parsed.segment_map else "init.mp4")
    record = read_media_record(init) if init.exists() else None
    return FileCheck(playlist, record, record_problems(record), validate_rendition(playlist))


def check_master(master: Path) -> list[FileCheck]:
    """A package: the master's record (EXT-X-SESSION-DATA -> aigc.json), then every video and
    audio rendition it names. The master itself has no C2PA manifest of its own: its
    renditions do; its check carries the first rendition's validation."""
    parsed = m3u8.load(str(master))
    uris = [p.uri for p in parsed.playlists] + [
        m.uri for m in parsed.media if m.type == "AUDIO" and m.uri
    ]
    renditions = [check_rendition((master.parent / uri).resolve()) for uri in uris]
    record = read_master_record(master)
    first = renditions[0].credential if renditions else Validation("missing")
    return [FileCheck(master, record, record_problems(record), first), *renditions]


def verify(path: Path) -> list[FileCheck]:
    """Every check a file calls for: an MP4, a master playlist, or a media playlist."""
    if path.suffix != ".m3u8":
        return [check_mp4(path)]
    if m3u8.load(str(path)).is_variant:
        return check_master(path)
    return [check_rendition(path)]


def provenance_gate(checks: list[FileCheck]) -> Gate:
    """Every delivered file carries a valid AIGC record and a C2PA manifest that validates."""
    problems = [
        f"{c.path.name}: {p}"
        for c in checks
        for p in [*c.problems, *([] if c.credential.ok else [f"C2PA {c.credential.status}"])]
    ]
    statuses = sorted({c.credential.status for c in checks})
    ok = f"{len(checks)} file(s) labelled and signed; {'; '.join(statuses)}"
    return gate("provenance", problems, ok, files=len(checks))


def package_disclosure(folder: Path, passed: bool, reason: str) -> dict[str, object]:
    """What a landed package says about its origin, for the catalog, the gallery card and the
    Dagster UI: the label per locale, the filing number, the AIGC content id, the signer, and
    whether every manifest validated (the provenance gate's verdict and reason). {} for a
    package made before the labels."""
    path = folder / AIGC_FILE
    if not path.exists():
        return {}
    found = json.loads(path.read_text())
    return {
        "label": found.get("label", {}),
        "filing_number": found.get("filing_number", ""),
        "produce_id": found.get(AIGC_KEY, {}).get("ProduceID", ""),
        "credentials": found.get("credentials", ""),
        "validated": passed,
        "status": reason,
    }
