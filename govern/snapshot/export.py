"""Writing a snapshot back out as JSONL (one canonical record per line, in order).

The file is written through govern.store.files.safe_output: a temp file in the target folder
renamed over a regular file or nothing, never over a symlink or a special file."""
from __future__ import annotations

from pathlib import Path

from govern.snapshot.model import Snapshot
from govern.store.files import safe_output


def export_jsonl(snap: Snapshot, path: Path) -> int:
    n = 0
    with safe_output(path) as f:
        for _, raw, _, _, _ in snap.iter_raw():
            f.write(raw + "\n")
            n += 1
    return n
