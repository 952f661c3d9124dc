"""Secret material kept in the store: the fingerprint HMAC key and the Ed25519 signing key.

Neither key is ever written to an output; CI can supply the signing key by path or the
GOVERN_SIGNING_KEY environment variable instead.
"""
from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from govern.errors import UsageError

FINGERPRINT = "keys/fingerprint.key"
SIGNING = "keys/signing.key"
SIGNING_PUB = "keys/signing.pub"
FOLDER_MODE, FILE_MODE = 0o700, 0o600
_warned: set[str] = set()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), FILE_MODE)  # whatever the umask
        f.write(data)


def make_folder(root: Path) -> None:
    """keys/ is created (or tightened) to 0700 whatever the umask."""
    folder = Path(root) / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, FOLDER_MODE)


def loose_permissions(root: Path) -> list[str]:
    """keys/ and the files in it that others than the owner can read or write."""
    folder = Path(root) / "keys"
    out = []
    for path in [folder, *sorted(folder.iterdir())] if folder.is_dir() else []:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        want = FOLDER_MODE if path == folder else FILE_MODE
        if mode & ~want:
            out.append(f"{path} is {mode:04o} (should be {want:04o})")
    return out


def warn_if_loose(root: Path) -> None:
    """Checked when a store is opened: one warning line per loose path, once per process."""
    for problem in loose_permissions(root):
        if problem not in _warned:
            _warned.add(problem)
            print(f"warning: {problem}; others on this machine may read the store's keys "
                  f"(chmod 700 {Path(root) / 'keys'}; chmod 600 the files in it)", file=sys.stderr)


def create_keys(root: Path) -> None:
    make_folder(root)
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
        _write_private(root / SIGNING_PUB, key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def fingerprint_key(root: Path) -> bytes:
    env = os.environ.get("GOVERN_FINGERPRINT_KEY")
    if env:
        return env.encode()
    path = Path(root) / FINGERPRINT
    if not path.exists():
        raise UsageError(f"no fingerprint key at {path}", hint="run `govern init`")
    return path.read_bytes().strip()
