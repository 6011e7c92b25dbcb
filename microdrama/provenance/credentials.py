"""Content credentials: a C2PA manifest on every delivered file, signed, and read back.

A burned-in MP4 carries its manifest embedded (c2pa-python signs the file; the BMFF hash covers
every box but the manifest's own). An HLS rendition is fragmented MP4: the C2PA specification
binds such media with a Merkle tree over the fragments inside the init segment, which
c2pa-python 0.38 does not offer, so each rendition gets a sidecar manifest (`index.c2pa`, the
specification's external manifest) bound to its init segment and media segments in playlist
order. The manifest says `c2pa.created` with the IPTC digital source type for trained
algorithmic media, the backends and models that made the episode, and the episode key.

The signing key and certificate come from configuration. Without them a development CA and
signer are made once in the cache folder with `cryptography`; their subject says UNTRUSTED, and
the validation status reports "valid, development certificate (untrusted)": a reader checks
the file was not changed since signing, not who signed it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import c2pa
import m3u8

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
SIDECAR = "index.c2pa"
EPISODE_ASSERTION = "org.microdrama.episode"
DEV_FOLDER = "c2pa-dev"
DEV_ORGANIZATION = "microdrama development certificate (UNTRUSTED)"
VALID_STATES = ("Valid", "Trusted")
# Not a change to the file: the signer is not on this reader's trust list (always so for the
# development certificate). Reported in the status, never a failure of integrity.
UNTRUSTED = "signingCredential.untrusted"


@dataclass(frozen=True)
class Credentials:
    """PEM files: the signer's private key, and its certificate chain (signer first)."""

    key: Path
    cert: Path
    development: bool = False
    algorithm: str = "es256"

    def signer(self) -> c2pa.Signer:
        info = c2pa.C2paSignerInfo(
            self.algorithm, self.cert.read_bytes(), self.key.read_bytes(), None
        )
        return c2pa.Signer.from_info(info)


def development_credentials(cache: Path) -> Credentials:
    """A local CA and an ES256 signer under `cache`/c2pa-dev, made on first use: enough for a
    reader to check integrity; their subject says they are not to be trusted."""
    folder = cache / DEV_FOLDER
    key, cert = folder / "signer.key", folder / "chain.pem"
    if key.exists() and cert.exists():
        return Credentials(key, cert, development=True)
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANIZATION),
            ]
        )

    now = dt.datetime.now(dt.UTC)
    ca_key, signer_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("microdrama development CA"))
        .issuer_name(name("microdrama development CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("microdrama development signer"))
        .issuer_name(ca.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    chain = leaf.public_bytes(pem) + ca.public_bytes(pem)
    private = signer_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # the pair is written aside and renamed into place whole: two processes making it at once
    # (parallel steps, workers) end with one matching key and chain, never one of each
    cache.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=f".{DEV_FOLDER}.", dir=cache))
    (aside / cert.name).write_bytes(chain)
    (aside / key.name).write_bytes(private)
    try:
        os.rename(aside, folder)
    except OSError:  # another process got there first: use its pair
        shutil.rmtree(aside, ignore_errors=True)
    return Credentials(key, cert, development=True)


def load_credentials(key: str, cert: str, cache: Path) -> Credentials:
    """The configured key and certificate chain, or the development pair when either is unset."""
    if key and cert:
        return Credentials(Path(key), Path(cert))
    return development_credentials(cache)


def manifest_definition(
    title: str, episode_key: str, backends: dict[str, str], aigc: dict[str, str]
) -> dict:
    """The manifest every delivered file of an episode gets: created by trained algorithmic
    media, which backends and models made it, the episode key and its AIGC record."""
    agent = {"name": "microdrama", "version": "1"}
    return {
        "claim_generator_info": [agent],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": DIGITAL_SOURCE_TYPE,
                            "softwareAgent": agent,
                            "parameters": {"episode": episode_key, "backends": backends},
                        }
                    ]
                },
            },
            {
                "label": EPISODE_ASSERTION,
                "data": {"episode": episode_key, "backends": backends, "AIGC": aigc},
            },
        ],
    }


def sign_file(path: Path, definition: dict, credentials: Credentials) -> None:
    """Embed a signed manifest in the MP4 at `path` (swapped in whole)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=path.suffix, delete=False) as tmp:
        pass
    try:
        with c2pa.Builder(definition) as builder, credentials.signer() as signer:
            builder.sign_file(str(path), tmp.name, signer)
        os.replace(tmp.name, path)
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def rendition_bytes(playlist: Path) -> bytes:
    """A fragmented-MP4 rendition as one stream: its init segment, then its media segments in
    playlist order (what a player appends to its buffer)."""
    parsed = m3u8.load(str(playlist))
    init = parsed.segment_map[0].uri if parsed.segment_map else "init.mp4"
    parts = [init, *(s.uri for s in parsed.segments)]
    return b"".join((playlist.parent / part).read_bytes() for part in parts)


def sign_rendition(playlist: Path, definition: dict, credentials: Credentials) -> Path:
    """A sidecar manifest for an fMP4 rendition, bound to all its bytes; returns its path."""
    with c2pa.Builder(definition) as builder, credentials.signer() as signer:
        builder.set_no_embed()
        manifest = builder.sign(
            signer, "video/mp4", io.BytesIO(rendition_bytes(playlist)), io.BytesIO()
        )
    sidecar = playlist.parent / SIDECAR
    sidecar.write_bytes(manifest)
    return sidecar


@dataclass(frozen=True)
class Validation:
    """What a reader made of a file's manifest: its state (Valid, Trusted, Invalid, or missing),
    the failure codes, the signer's issuer, and the active manifest."""

    state: str
    failures: list[str] = field(default_factory=list)
    issuer: str = ""
    manifest: dict | None = None
    trusted: bool = False

    @property
    def ok(self) -> bool:
        return self.state in VALID_STATES and not self.failures

    @property
    def status(self) -> str:
        """One line for people: valid/invalid/missing, and whether the signer is trusted."""
        if self.state == "missing":
            return "missing: no C2PA manifest"
        if not self.ok:
            return f"invalid: {'; '.join(self.failures) or self.state}"
        if DEV_ORGANIZATION in self.issuer:
            return "valid, development certificate (untrusted)"
        return f"valid, signed by {self.issuer or 'an unknown issuer'}" + (
            "" if self.trusted else " (not on this reader's trust list)"
        )


def _validation(reader: c2pa.Reader | None) -> Validation:
    if reader is None:
        return Validation("missing")
    with reader:
        results = reader.get_validation_results() or {}
        found = (results.get("activeManifest") or {}).get("failure", [])
        failures = [
            f"{item.get('code')}: {item.get('explanation', '')}".strip(": ")
            for item in found
            if item.get("code") != UNTRUSTED
        ]
        manifest = reader.get_active_manifest()
        issuer = ((manifest or {}).get("signature_info") or {}).get("issuer", "")
        state = reader.get_validation_state() or "Invalid"
        trusted = state == "Trusted" and all(item.get("code") != UNTRUSTED for item in found)
        if state == "Invalid" and not failures:  # invalid only for want of trust
            state = "Valid"
        return Validation(state, failures, issuer, manifest, trusted)


def validate_file(path: Path) -> Validation:
    """Read an MP4's embedded manifest back and validate it against the file's bytes."""
    try:
        return _validation(c2pa.Reader.try_create(str(path)))
    except c2pa.C2paError as exc:
        return Validation("Invalid", [str(exc)])


def validate_rendition(playlist: Path) -> Validation:
    """Read an fMP4 rendition's sidecar manifest and validate it against the rendition."""
    sidecar = playlist.parent / SIDECAR
    if not sidecar.exists():
        return Validation("missing")
    try:
        stream = io.BytesIO(rendition_bytes(playlist))
        return _validation(c2pa.Reader("video/mp4", stream, sidecar.read_bytes()))
    except (c2pa.C2paError, OSError) as exc:
        return Validation("Invalid", [str(exc)])
