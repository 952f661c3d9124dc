"""Immutable blobs named by the sha256 of their bytes, in fan-out folders.

Writes go to a temp file in the same folder, are fsynced, then renamed into place and made
read-only, so a reader never sees a partial object and a killed writer leaves only a temp file.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from govern.errors import IntegrityError


class ObjectStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:]

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def put_bytes(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if not self.exists(digest):
            self._write(digest, lambda f: f.write(data))
        return digest

    def put_file(self, src: Path) -> str:
        """Copy a file in, hashing while copying."""
        h = hashlib.sha256()
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            self._publish(tmp, digest)
            return digest
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _write(self, digest: str, writer) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                writer(out)
                out.flush()
                os.fsync(out.fileno())
            self._publish(tmp, digest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _publish(self, tmp: str, digest: str) -> None:
        final = self.path(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        if final.exists():
            return
        os.replace(tmp, final)
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def get_bytes(self, digest: str, verify: bool = True) -> bytes:
        p = self.path(digest)
        if not p.exists():
            raise IntegrityError(f"object {digest} is missing from the store",
                                 hint="run `govern verify --all` to list damaged objects")
        data = p.read_bytes()
        if verify and hashlib.sha256(data).hexdigest() != digest:
            raise IntegrityError(f"object {digest} is damaged: its bytes no longer hash to its name",
                                 hint="restore the store from a backup")
        return data

    def check(self, digest: str) -> str | None:
        """Re-hash one object; return a problem description or None."""
        p = self.path(digest)
        if not p.exists():
            return "missing"
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return None if h.hexdigest() == digest else "hash mismatch"
