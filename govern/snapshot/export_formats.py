"""`govern snapshot export --format jsonl|parquet|hf`: a snapshot's records, in order, as
JSON Lines, as one Parquet file, or as a Hugging Face dataset folder (`save_to_disk`) that
`datasets.load_from_disk` opens, naming the snapshot id and its attestation in the dataset's
description. Parquet and the dataset folder are written by `datasets` from the stored records.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from govern.errors import UsageError
from govern.snapshot.export import export_jsonl
from govern.snapshot.model import Snapshot
from govern.store.files import safe_output

FORMATS = ("jsonl", "parquet", "hf")


def attestation_of(store, snap: Snapshot, policy=None) -> dict | None:
    """The snapshot's attestation under `policy` if there is one, else its latest, verified
    (signature and digests; IntegrityError otherwise); None if the snapshot was never gated.
    {"digest", "decision", "policy"}."""
    from govern.gate.attestation import verify_attestation
    found = store.get_result("attestation", snap.id, policy.digest) if policy else None
    if found is None:
        others = store.list_results("attestation", snap.id)
        if not others:
            return None
        found = (others[-1]["digest"], store.get_json(others[-1]["digest"]))
    info = verify_attestation(store, found[1])
    return {"digest": found[0], "decision": info["decision"], "policy": info["policy"]}


def description(snap: Snapshot, attestation: dict | None) -> str:
    att = (f"gate attestation {attestation['digest']} (decision {attestation['decision']})"
           if attestation else "no gate attestation")
    return (f"Exported by govern from snapshot {snap.id}"
            f"{' (' + snap.name + ')' if snap.name else ''}: {snap.count} records; {att}. "
            "Snapshotting this dataset again gives the same snapshot id.")


def _records(store_root: str, snapshot_id: str, manifest: str) -> Iterator[dict]:
    """The snapshot's records (a module-level generator, so `datasets` can fingerprint it)."""
    from govern.snapshot.model import Snapshot as Snap
    from govern.store import open_store
    store = open_store(Path(store_root))
    try:
        for ref in Snap(store, snapshot_id, manifest).iter_records():
            yield ref.record
    finally:
        store.close()


def to_dataset(snap: Snapshot, cache_dir: Path, info_description: str = ""):
    """The snapshot as a datasets.Dataset (Arrow files under cache_dir)."""
    import datasets
    datasets.disable_progress_bars()
    info = datasets.DatasetInfo(description=info_description)
    return datasets.Dataset.from_generator(
        _records, gen_kwargs={"store_root": str(snap.store.root), "snapshot_id": snap.id,
                              "manifest": snap.manifest_digest},
        cache_dir=str(cache_dir), info=info)


def export_snapshot(snap: Snapshot, path: Path, fmt: str = "jsonl",
                    attestation: dict | None = None) -> int:
    """Write the snapshot to `path` in `fmt`; returns the number of records."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint=f"one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        return export_jsonl(snap, path)
    path = Path(path)
    if fmt == "hf" and os.path.lexists(path):
        raise UsageError(f"{path} exists", hint="choose a new folder for --format hf")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".govern-export-") as tmp:
        ds = to_dataset(snap, Path(tmp) / "cache", description(snap, attestation))
        if fmt == "parquet":
            part = Path(tmp) / path.name
            ds.to_parquet(str(part))
            with safe_output(path, text=False) as out, open(part, "rb") as f:
                shutil.copyfileobj(f, out)
        else:
            folder = Path(tmp) / "dataset"
            ds.save_to_disk(str(folder))
            shutil.move(str(folder), str(path))
        return ds.num_rows
