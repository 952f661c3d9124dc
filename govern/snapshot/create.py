"""Creating snapshots: stream records, hash each one's canonical JSON, write Parquet shards.

Shards are written (fsynced, renamed) as they fill, so memory stays bounded; the catalog row
that makes the snapshot visible is inserted last, in one transaction.
"""
from __future__ import annotations

import hashlib
import io
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import govern
from govern.data.readers import Limits, Quarantine, SourceRecord, TypeDrift, read_file
from govern.data.sources import data_suffix, expand_paths
from govern.data.text import layout
from govern.digests import canonical_json, sha256_file
from govern.errors import InputError, NameTaken, ScanError, UsageError
from govern.snapshot.model import Snapshot, check_name, name_owner, resolve
from govern.store import Store
from govern.store.store import now

SHARD_RECORDS = 50_000


@dataclass
class CreateResult:
    snapshot: Snapshot
    created: bool
    quarantined: int = 0


def record_digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot_id(digests: Iterable[str]) -> str:
    """The id: sha256 over the ordered record digests, one per line."""
    h = hashlib.sha256()
    for d in digests:
        h.update(d.encode() + b"\n")
    return h.hexdigest()


class ShardWriter:
    """Collects canonical records and writes them as zstd Parquet shards named by digest."""

    def __init__(self, objects, shard_records: int | None = None):
        self.objects = objects
        self.limit = shard_records or SHARD_RECORDS
        self.shards: list[dict] = []
        self._reset()

    def _reset(self):
        self.recs, self.digs, self.srcs, self.lines = [], [], [], []

    def add(self, canonical: str | bytes, digest: str, source: int, line: int) -> None:
        self.recs.append(canonical.encode("utf-8") if isinstance(canonical, str) else canonical)
        self.digs.append(digest)
        self.srcs.append(source)
        self.lines.append(line)
        if len(self.recs) >= self.limit:
            self.flush()

    def flush(self) -> None:
        if not self.recs:
            return
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq
        # build the string column from one joined buffer: no per-record conversion
        offsets = np.zeros(len(self.recs) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, self.recs), np.int64, len(self.recs)), out=offsets[1:])
        records = pa.LargeStringArray.from_buffers(
            len(self.recs), pa.py_buffer(offsets), pa.py_buffer(b"".join(self.recs)))
        table = pa.table({"record": records,
                          "digest": pa.array(self.digs, pa.string()),
                          "source": pa.array(self.srcs, pa.int32()),
                          "line": pa.array(self.lines, pa.int64())})
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd", compression_level=1)
        digest = self.objects.put_bytes(buf.getvalue())
        self.shards.append({"digest": digest, "count": len(self.recs)})
        self._reset()


def create_snapshot(store: Store, records: Iterator[SourceRecord], sources: list[dict], *,
                    name: str | None = None, parent: str | None = None, kind: str = "data",
                    extra: dict | None = None, command: str = "snapshot create",
                    progress: Callable[[int], None] | None = None) -> CreateResult:
    """Store records as a snapshot; sources are [{path, size, sha256}] in file order."""
    if name is not None:
        check_name(name)
    index = {s["path"]: i for i, s in enumerate(sources)}
    writer, drift, digests = ShardWriter(store.objects), TypeDrift(), []
    for rec in records:
        drift.check(rec)
        try:
            canonical = canonical_json(rec.record)
        except ValueError as e:
            raise InputError(f"record cannot be stored as JSON ({e})", rec.file, rec.line) from None
        digest = record_digest(canonical)
        digests.append(digest)
        writer.add(canonical, digest, index[rec.file], rec.line)
        if progress and len(digests) % 1000 == 0:
            progress(1000)
    writer.flush()
    return publish(store, digests, writer.shards, drift.schema(), sources, name=name,
                   parent=parent, kind=kind, extra=extra, command=command)


def publish(store: Store, digests: list[str], shards: list[dict], schema: dict,
            sources: list[dict], *, name: str | None, parent: str | None, kind: str,
            extra: dict | None, command: str) -> CreateResult:
    """Write the manifest, then make the snapshot visible in one catalog transaction."""
    if not digests:
        raise InputError("no records to snapshot", sources[0]["path"] if sources else None)
    parent_id = resolve(store, parent).id if parent else None
    sid, count = snapshot_id(digests), len(digests)
    manifest = {
        "format": 1, "id": sid, "kind": kind, "count": count, "sources": sources,
        "schema": schema, "layout": layout(set(schema)), "shards": shards,
        "parent": parent_id, "created": now(), "tool": {"govern": govern.__version__,
                                                        "python": platform.python_version()},
        **({"extra": extra} if extra else {}),
    }
    manifest_digest = store.put_json(manifest)
    inputs = {"sources": [s["sha256"] for s in sources], **({"parent": parent_id} if parent_id else {})}
    with store.transaction() as db:
        existing = db.execute("SELECT manifest, name, kind FROM snapshots WHERE id=?",
                              (sid,)).fetchone()
        owner = name_owner(db, name) if name else None  # decided in this one transaction
        if owner and owner[1] != sid:
            raise NameTaken(f"name taken: {name!r} is already the {owner[0]} of snapshot "
                            f"{owner[1][:12]}",
                            hint="choose another --name, or tag the new snapshot later")
        if existing:
            tagged = bool(name) and owner is None
            if tagged:
                db.execute("INSERT INTO tags VALUES (?,?)", (name, sid))
            store.log(db, command, inputs, {"snapshot": sid, "already_stored": True,
                                            **({"tag": name} if tagged else {})})
            return CreateResult(Snapshot(store, sid, existing[0], existing[1], existing[2]), False)
        db.execute("INSERT INTO snapshots VALUES (?,?,?,?,?,?,?)",
                   (sid, kind, name, parent_id, manifest_digest, count, manifest["created"]))
        store.log(db, command, inputs, {"snapshot": sid, "manifest": manifest_digest})
    return CreateResult(Snapshot(store, sid, manifest_digest, name, kind), True)


def describe_sources(files: list[Path]) -> list[dict]:
    return [{"path": str(f), "size": os.path.getsize(f), "sha256": sha256_file(f)} for f in files]


def read_sources(files: list[Path], limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    for f in files:
        yield from read_file(f, limits, quarantine)


def _parallel_ok(files: list[Path]) -> bool:
    return all(data_suffix(f) in (".jsonl", ".ndjson") and f.suffix.lower() != ".gz"
               for f in files)


def snapshot_files(store: Store, paths: list[str], *, name: str | None = None,
                   parent: str | None = None, kind: str = "data", limits: Limits = Limits(),
                   quarantine_path: Path | None = None, workers: int | None = None,
                   progress: Callable[[int], None] | None = None,
                   engine=None, split: str | None = None) -> CreateResult:
    """Snapshot data files. Plain JSON Lines go through parallel chunk workers on `engine`
    (a govern.engine.Engine; default local); other formats, gzip and --quarantine read
    sequentially; Hugging Face datasets (save_to_disk folders, hf://NAME) through
    govern.data.hf, `split` picking one split. All give the same snapshot id."""
    if name is not None:
        check_name(name)
    command = "golden add" if kind == "golden" else "snapshot create"
    from govern.data.hf import is_hf_source, snapshot_datasets
    if any(is_hf_source(p) for p in paths):
        if not all(is_hf_source(p) for p in paths):
            raise UsageError("mix of Hugging Face datasets and data files",
                             hint="snapshot them separately, or export the dataset first")
        if quarantine_path is not None:
            raise UsageError("--quarantine applies to data files; a dataset's rows are typed "
                             "already (a row JSON cannot hold stops with its split and row)")
        return snapshot_datasets(store, list(paths), split=split, limits=limits, name=name,
                                 parent=parent, kind=kind, progress=progress, command=command)
    if split is not None:
        raise UsageError("--split applies to Hugging Face datasets (save_to_disk folders, hf://)")
    files = expand_paths(paths)
    if quarantine_path is None and _parallel_ok(files):
        return _snapshot_chunks(store, files, name=name, parent=parent, kind=kind, limits=limits,
                                workers=workers, progress=progress, command=command,
                                engine=engine)
    sources = describe_sources(files)
    sink = open(quarantine_path, "w", encoding="utf-8") if quarantine_path else None
    try:
        q = Quarantine(sink)
        result = create_snapshot(store, read_sources(files, limits, q), sources, name=name,
                                 parent=parent, kind=kind, progress=progress, command=command)
        result.quarantined = q.count
        return result
    finally:
        if sink:
            sink.close()


def _snapshot_chunks(store: Store, files: list[Path], *, name, parent, kind, limits, workers,
                     progress, command, engine=None) -> CreateResult:
    from govern.engine import run
    from govern.snapshot.chunks import ChunkJob, check_drift, plan_chunks
    sources, chunks = plan_chunks(files)
    job = ChunkJob(str(store.objects.root), [str(f) for f in files], limits, SHARD_RECORDS)
    try:
        parts = [out[0] for out in run(job, ([c] for c in chunks), workers, engine)]
    except ScanError as e:  # the engines' hint names scan options snapshot create lacks
        raise ScanError(e.message, hint="rerun with --quarantine FILE: the files are then read "
                                        "one line at a time and a bad line is named") from e
    for part in parts:
        if progress:
            progress(len(part["digests"]))
    for i, src in enumerate(sources):
        if not any(p["digests"] for p in parts if p["source"] == i):
            raise InputError("file is empty (no records)", src["path"], 1)
    schema = check_drift(parts, [s["path"] for s in sources])
    digests = [d for p in parts for d in p["digests"]]
    shards = [s for p in parts for s in p["shards"]]
    return publish(store, digests, shards, schema, sources, name=name, parent=parent, kind=kind,
                   extra=None, command=command)
