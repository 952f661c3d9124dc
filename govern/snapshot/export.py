"""Writing a snapshot back out as JSONL (one canonical record per line, in order)."""
from __future__ import annotations

from pathlib import Path

from govern.snapshot.model import Snapshot


def export_jsonl(snap: Snapshot, path: Path) -> int:
    n = 0
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for _, raw, _, _, _ in snap.iter_raw():
            f.write(raw + "\n")
            n += 1
    tmp.replace(path)
    return n
