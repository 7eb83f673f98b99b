"""The installation signing key (Ed25519) and the keyring of public keys that verify it.

Why one key per installation rather than per signer: a supervisor signs in a browser on a
tablet with a password; per-user private keys would have to live on the server anyway, so they
would add key management without adding proof. What matters is that the key is *not in the
database*: the private key is a file under a secrets directory (`FIELD_SIGNING_KEY_FILE`,
default `<data_dir>/keys/signing.key`, mode 600), the same file on every replica, never in a
backup. A database writer can change rows and recompute SHA-256 hashes, but cannot make a
signature that the public key accepts.

Rotation: `python -m field keygen --rotate` writes a new private key; every public key ever
used stays in `keyring.json` next to it (id, public key, created, retired), and each signature
is stored with its key id, so rows signed with an old key still verify. The keyring holds only
public keys: copying it to another machine is all a verifier needs (`verify --keyring`).

Key ids are the first 16 hex digits of the SHA-256 of the raw public key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from field.domain import clock
from field.domain.errors import FieldError

KEYRING_NAME = "keyring.json"


def canonical(payload: dict[str, Any]) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8 — the same on every backend."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def keyring_path(key_file: Path) -> Path:
    return key_file.parent / KEYRING_NAME


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    def sign(self, payload: dict[str, Any]) -> str:
        return base64.b64encode(self.private.sign(canonical(payload))).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """Public keys by key id: every key this installation has signed with."""

    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def check(self, payload: dict[str, Any], kid: str | None, signature: str | None) -> str | None:
        """None when `signature` is a valid signature of `payload` by key `kid`; otherwise the
        catalog key naming what is wrong."""
        if not signature or not kid:
            return "verify.unsigned"
        public = self.keys.get(kid)
        if public is None:
            return "verify.unknown_key"
        try:
            public.verify(base64.b64decode(signature, validate=True), canonical(payload))
        except (InvalidSignature, ValueError):
            return "verify.signature_invalid"
        return None


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.parent.chmod(0o700)
    except OSError:
        pass
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_keyring_entries(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return list(data["keys"])
    except (ValueError, KeyError, TypeError) as exc:
        raise FieldError("signing.bad_keyring", path=str(path)) from exc


def _write_keyring(path: Path, entries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"format": "field-keyring/1", "keys": entries}, indent=1) + "\n", encoding="utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, path)


def _publish(key_file: Path, key: Ed25519PrivateKey, now: dt.datetime) -> str:
    """Add the key's public half to the keyring (retiring the others); returns its id."""
    public = key.public_key()
    kid = key_id(public)
    ring = keyring_path(key_file)
    entries = [e for e in _read_keyring_entries(ring) if e.get("kid") != kid]
    for e in entries:
        e.setdefault("retired", None)
        if not e["retired"]:
            e["retired"] = now.isoformat()
    entries.append({"kid": kid, "public": base64.b64encode(_raw_public(public)).decode("ascii"),
                    "created": now.isoformat(), "retired": None})
    _write_keyring(ring, entries)
    return kid


def generate(key_file: Path, *, rotate: bool = False, now: dt.datetime | None = None) -> str:
    """Create the signing key (refused if one exists unless `rotate`); returns the new key id.
    The old public key stays in the keyring, so what it signed still verifies."""
    if key_file.exists() and not rotate:
        raise FieldError("signing.key_exists", path=str(key_file))
    key = Ed25519PrivateKey.generate()
    kid = _publish(key_file, key, now or clock.now())
    _write_private(key_file, key)
    return kid


def ensure(key_file: Path) -> str:
    """The key id of the installation key, creating the key on a first start (`init-db`: no key
    and no keyring yet); an existing key is only read, and republished if the keyring lacks it.
    A key that is missing while the keyring exists was lost or not mounted: `signing.no_key`,
    rather than silently starting a second key."""
    if not key_file.exists():
        if load_keyring(keyring_path(key_file)).keys:
            raise FieldError("signing.no_key", path=str(key_file))
        return generate(key_file)
    key = load_signing_key(key_file)
    if key.kid not in load_keyring(keyring_path(key_file)).keys:
        _publish(key_file, key.private, clock.now())
    return key.kid


def load_signing_key(key_file: Path) -> SigningKey:
    if not key_file.is_file():
        raise FieldError("signing.no_key", path=str(key_file))
    try:
        private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise FieldError("signing.bad_key", path=str(key_file)) from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise FieldError("signing.bad_key", path=str(key_file))
    return SigningKey(key_id(private.public_key()), private)


def load_keyring(path: Path) -> Keyring:
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in _read_keyring_entries(path):
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public"], validate=True))
        except (KeyError, ValueError, TypeError) as exc:
            raise FieldError("signing.bad_keyring", path=str(path)) from exc
        keys[key_id(public)] = public
    return Keyring(keys)
