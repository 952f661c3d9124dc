"""Decontamination: a child snapshot without the records that carry golden items.

The child names its parent (lineage) and, in the manifest's `extra`, the leakage result it
was cut by and how many rows were dropped, so the fix is as traceable as the leak.
"""
from __future__ import annotations

from govern.data.readers import SourceRecord
from govern.errors import ScanError
from govern.leakage.scan import scan_target
from govern.snapshot.create import CreateResult, create_snapshot
from govern.snapshot.target import Target


def drop_leaked(store, snapshot, goldens, policy, name: str | None = None,
                workers: int | None = None, device: str = "cpu",
                progress=None) -> CreateResult:
    """Scan (or reuse the stored scan) and snapshot the records no golden item was found in."""
    scan = scan_target(store, Target(snapshot.label(), snapshot=snapshot), goldens, policy,
                       workers=workers, device=device, progress=progress)
    if scan.summary["failed"]:
        raise ScanError(f"{scan.summary['failed']} record(s) could not be compared; "
                        "nothing was dropped", hint="check --field / [leakage] fields")
    leaked = {f.row for f in scan.findings}
    kept = (SourceRecord(ref.record, ref.file, ref.line) for ref in snapshot.iter_records()
            if ref.row not in leaked)
    extra = {"decontaminated": {"leakage_result": scan.digest, "dropped": len(leaked),
                                "dropped_rows": sorted(leaked),
                                "golden": [g["id"] for g in scan.summary["golden"]]}}
    return create_snapshot(store, kept, snapshot.manifest["sources"], name=name,
                           parent=snapshot.id, kind=snapshot.kind, extra=extra,
                           command="golden decontaminate")
