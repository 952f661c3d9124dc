"""Ed25519 signing of attestation statements in a DSSE envelope, and strict verification.

The envelope is `{"payload": base64(statement), "payloadType": ..., "signatures": [{"keyid",
"sig"}]}`; the signature covers DSSE's pre-authentication encoding of type and payload, so
neither can be swapped. A key id is the sha256 of the raw public key. Trusted keys: the
store's `keys/signing.pub`, the key named by GOVERN_SIGNING_KEY, public keys listed in
GOVERN_TRUSTED_KEYS (os.pathsep separated) and any passed explicitly.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path

from govern.errors import IntegrityError, UsageError
from govern.store.keys import SIGNING, SIGNING_PUB

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def _raw(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key) -> str:
    return "sha256:" + hashlib.sha256(_raw(public_key)).hexdigest()


def signing_key_path(store, key_path: Path | None = None) -> Path:
    path = Path(key_path or os.environ.get("GOVERN_SIGNING_KEY") or store.root / SIGNING)
    if not path.exists():
        raise UsageError(f"no signing key at {path}",
                         hint="run `govern init`, or set GOVERN_SIGNING_KEY to an Ed25519 PEM key")
    return path


def load_private_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (ValueError, TypeError) as e:
        raise UsageError(f"{path}: not an unencrypted PEM private key ({e})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{path}: the signing key must be Ed25519")
    return key


def _load_public(path: Path):
    from cryptography.hazmat.primitives import serialization
    data = Path(path).read_bytes()
    try:
        if b"PRIVATE KEY" in data:
            return serialization.load_pem_private_key(data, password=None).public_key()
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as e:
        raise UsageError(f"{path}: not a PEM key ({e})") from None


def trusted_keys(store, extra: list[Path] | None = None) -> dict:
    """key id -> Ed25519 public key, for every key this store trusts."""
    paths = [store.root / SIGNING_PUB] if store is not None else []
    if os.environ.get("GOVERN_SIGNING_KEY"):
        paths.append(Path(os.environ["GOVERN_SIGNING_KEY"]))
    paths += [Path(p) for p in os.environ.get("GOVERN_TRUSTED_KEYS", "").split(os.pathsep) if p]
    paths += list(extra or [])
    keys = {}
    for p in paths:
        if p.exists():
            pub = _load_public(p)
            keys[key_id(pub)] = pub
    return keys


def sign(statement_bytes: bytes, private_key) -> dict:
    sig = private_key.sign(pae(PAYLOAD_TYPE, statement_bytes))
    return {"payload": base64.b64encode(statement_bytes).decode("ascii"),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"keyid": key_id(private_key.public_key()),
                            "sig": base64.b64encode(sig).decode("ascii")}]}


def _b64(text, what: str) -> bytes:
    """Strict base64: the text must be the canonical encoding of what it decodes to."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise IntegrityError(f"attestation {what} is not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise IntegrityError(f"attestation {what} is not canonical base64")
    return data


def open_envelope(envelope, keys: dict) -> dict:
    """The signed statement, or IntegrityError for unsigned, tampered or unknown-key envelopes."""
    from cryptography.exceptions import InvalidSignature
    if not isinstance(envelope, dict) or set(envelope) != {"payload", "payloadType", "signatures"}:
        raise IntegrityError("not a signed attestation envelope (payload, payloadType, signatures)")
    sigs = envelope["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise IntegrityError("the attestation is unsigned")
    payload = _b64(envelope["payload"], "payload")
    if envelope["payloadType"] != PAYLOAD_TYPE:
        raise IntegrityError(f"unexpected payloadType {str(envelope['payloadType'])[:60]!r}")
    for s in sigs:
        if not isinstance(s, dict) or set(s) != {"keyid", "sig"} or not isinstance(s["keyid"], str):
            raise IntegrityError("malformed signature entry")
        pub = keys.get(s["keyid"])
        if pub is None:
            raise IntegrityError(f"the attestation is signed by an unknown key {str(s['keyid'])[:80]}",
                                 hint="trust a public key with --key or GOVERN_TRUSTED_KEYS")
        try:
            pub.verify(_b64(s["sig"], "signature"), pae(envelope["payloadType"], payload))
        except InvalidSignature:
            raise IntegrityError("the attestation's signature does not match its content "
                                 "(tampered)") from None
    try:
        return json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise IntegrityError("the signed payload is not JSON") from None
