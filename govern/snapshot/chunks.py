"""Parallel ingest of plain JSON Lines files: byte-range chunks parsed, hashed and stored by
workers (the same BatchJob the engines run), merged in file order by the parent.

Lines stay exact: the parent finds chunk boundaries and line numbers in one pass that also
hashes each source file. Type drift is decided globally: each chunk reports the first line of
every type it saw per field, and the parent names the earliest line that disagrees.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from govern.data.readers import Limits, _json_type, iter_lines, open_binary, parse_line
from govern.digests import canonical_bytes
from govern.engine.local import BatchJob
from govern.errors import InputError

CHUNK_BYTES = 16 * 1024 * 1024


def plan_chunks(files: list[Path], chunk_bytes: int | None = None) -> tuple[list[dict], list[dict]]:
    """Return (sources [{path, size, sha256}], chunks [{source, start, end, first_line}])."""
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    sources, chunks = [], []
    for index, path in enumerate(files):
        open_binary(path).close()  # refuses a gzip file without its .gz name
        h, pos, line, start, start_line = hashlib.sha256(), 0, 1, 0, 1
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
                cut = 0
                while pos + len(block) - start >= chunk_bytes:
                    nl = block.find(b"\n", max(cut, start + chunk_bytes - pos))
                    if nl < 0:
                        break
                    line += block.count(b"\n", cut, nl + 1)
                    cut = nl + 1
                    chunks.append({"source": index, "start": start, "end": pos + cut,
                                   "first_line": start_line})
                    start, start_line = pos + cut, line
                line += block.count(b"\n", cut)
                pos += len(block)
        if pos > start or not chunks or chunks[-1]["source"] != index:
            chunks.append({"source": index, "start": start, "end": pos, "first_line": start_line})
        sources.append({"path": str(path), "size": os.path.getsize(path), "sha256": h.hexdigest()})
    return sources, chunks


@dataclass
class ChunkJob(BatchJob):
    """Parse, canonicalise, hash and store one chunk of a JSON Lines file as shards."""
    objects_root: str
    files: list[str]
    limits: Limits
    shard_records: int

    def run(self, state, batch: list[dict]) -> list[dict]:
        return [self.ingest(c) for c in batch]

    def ingest(self, chunk: dict) -> dict:
        from govern.snapshot.create import ShardWriter
        from govern.store.objects import ObjectStore
        file = self.files[chunk["source"]]
        writer = ShardWriter(ObjectStore(Path(self.objects_root)), self.shard_records)
        digests, types = [], {}
        for lineno, raw in iter_lines(Path(file), chunk["start"], chunk["end"], chunk["first_line"],
                                          self.limits):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            rec = parse_line(raw, file, lineno, self.limits)
            for key, value in rec.items():
                if value is not None:
                    types.setdefault(key, {}).setdefault(_json_type(value), lineno)
            try:
                canonical = canonical_bytes(rec)
            except ValueError as e:
                raise InputError(f"record cannot be stored as JSON ({e})", file, lineno) from None
            digest = hashlib.sha256(canonical).hexdigest()
            digests.append(digest)
            writer.add(canonical, digest, chunk["source"], lineno)
        writer.flush()
        return {"source": chunk["source"], "shards": writer.shards, "digests": digests,
                "types": types}


def check_drift(parts: list[dict], files: list[str]) -> dict[str, str]:
    """Raise at the earliest line whose field type differs from the field's first type."""
    first: dict[str, tuple[str, str, int]] = {}
    worst: tuple | None = None
    for part in parts:  # in file order
        file = files[part["source"]]
        for key, seen in part["types"].items():
            for t, line in sorted(seen.items(), key=lambda kv: kv[1]):
                if key not in first:
                    first[key] = (t, file, line)
                elif first[key][0] != t:
                    cand = (part["source"], line, key, t)
                    if worst is None or cand[:2] < worst[:2]:
                        worst = cand
    if worst:
        src, line, key, t = worst
        t0, f0, l0 = first[key]
        raise InputError(f"field {key!r} is {t} here but was {t0} at {f0}:{l0}", files[src], line,
                         hint="make the field's type consistent across records")
    return {k: v[0] for k, v in sorted(first.items())}
