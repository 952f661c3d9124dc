"""Canonical JSON and sha256 digests: the one way govern names content."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson


def canonical_json(obj: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text kept as is: equal data gives equal text."""
    return canonical_bytes(obj).decode("utf-8")


def canonical_bytes(obj: Any) -> bytes:
    """canonical_json as UTF-8 bytes (orjson; the stdlib only for integers beyond 64 bits)."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_json(obj: Any) -> str:
    """Digest of an object's canonical JSON."""
    return sha256_text(canonical_json(obj))


def sha256_file(path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
