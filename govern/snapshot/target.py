"""What a scan or validation runs on: a stored snapshot (REF) or data files read ad hoc.

Ad hoc files are parsed with the same readers (same located errors) but nothing is stored,
which is what a CI job on a pull request wants.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from govern.data.readers import Limits, read_file
from govern.data.sources import expand_paths
from govern.digests import canonical_json
from govern.errors import UsageError
from govern.snapshot.create import record_digest
from govern.snapshot.model import RecordRef, Snapshot, resolve
from govern.store import Store


@dataclass
class Target:
    label: str
    snapshot: Snapshot | None = None
    files: list[Path] = field(default_factory=list)
    limits: Limits = Limits()
    datasets: list[str] = field(default_factory=list)   # HF dataset folders or hf:// names

    @property
    def snapshot_id(self) -> str | None:
        return self.snapshot.id if self.snapshot else None

    def iter_records(self) -> Iterator[RecordRef]:
        if self.snapshot:
            yield from self.snapshot.iter_records()
            return
        row = 0
        for rec in self._source_records():
            raw = canonical_json(rec.record)
            yield RecordRef(row, rec.record, record_digest(raw), rec.file, rec.line, raw)
            row += 1

    def _source_records(self):
        for f in self.files:
            yield from read_file(f, self.limits)
        if self.datasets:
            from govern.data.hf import iter_split, open_splits
            for arg in self.datasets:
                for split in open_splits(arg):
                    yield from iter_split(split, self.limits)


def open_target(store: Store | None, args: list[str], kind: str | None = None) -> Target:
    """One REF, or one or more data files/folders/globs."""
    if not args:
        raise UsageError("give a snapshot REF or data files")
    from govern.data.hf import is_hf_source
    if all(is_hf_source(a) for a in args):
        return Target(", ".join(args), datasets=list(args))
    if len(args) == 1 and not Path(args[0]).exists() and not any(c in args[0] for c in "*?["):
        if store is None:
            raise UsageError(f"{args[0]!r} is not a file and there is no store to look it up in",
                             hint="run `govern init`, or pass data files")
        snap = resolve(store, args[0], kind)
        return Target(snap.label(), snapshot=snap)
    files = expand_paths(args)
    return Target(", ".join(str(f) for f in files), files=files)


def target_digest(target: Target) -> str:
    """A digest naming what was scanned: the snapshot id, or a hash of the ad hoc files' bytes."""
    if target.snapshot:
        return target.snapshot.id
    h = hashlib.sha256()
    if target.datasets:
        from govern.data.hf import describe, open_splits
        for arg in target.datasets:
            for split in open_splits(arg):
                h.update(json.dumps(describe(split)).encode())
    for f in target.files:
        h.update(json.dumps(str(f)).encode())
        h.update(Path(f).read_bytes())
    return h.hexdigest()
