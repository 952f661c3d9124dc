"""Secret material kept in the store: the fingerprint HMAC key and the Ed25519 signing key.

Neither key is ever written to an output; CI can supply the signing key by path or the
GOVERN_SIGNING_KEY environment variable instead.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from govern.errors import UsageError

FINGERPRINT = "keys/fingerprint.key"
SIGNING = "keys/signing.key"
SIGNING_PUB = "keys/signing.pub"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def create_keys(root: Path) -> None:
    fp = root / FINGERPRINT
    if not fp.exists():
        _write_private(fp, secrets.token_bytes(32).hex().encode())
    sk = root / SIGNING
    if not sk.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        key = Ed25519PrivateKey.generate()
        _write_private(sk, key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
        (root / SIGNING_PUB).write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def fingerprint_key(root: Path) -> bytes:
    env = os.environ.get("GOVERN_FINGERPRINT_KEY")
    if env:
        return env.encode()
    path = Path(root) / FINGERPRINT
    if not path.exists():
        raise UsageError(f"no fingerprint key at {path}", hint="run `govern init`")
    return path.read_bytes().strip()
