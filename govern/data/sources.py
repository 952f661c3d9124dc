"""Turning PATH arguments (files, folders, globs) into an ordered list of data files."""
from __future__ import annotations

import glob
from pathlib import Path

from govern.errors import UsageError

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")


def data_suffix(path: Path) -> str:
    """The data format suffix, looking through a trailing .gz."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def expand_paths(paths: list[str]) -> list[Path]:
    """Files in argument order; folders expand to their data files sorted by name. An argument
    that names an existing file or folder is taken literally, even with glob characters."""
    files: list[Path] = []
    for arg in paths:
        p = Path(arg)
        if any(ch in arg for ch in "*?[") and not p.exists():  # an existing path is a path
            matches = sorted(Path(m) for m in glob.glob(arg, recursive=True))
            if not matches:
                raise UsageError(f"{arg}: the pattern matches no files")
            files.extend(m for m in matches if m.is_file())
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and data_suffix(f) in SUFFIXES)
            if not found:
                raise UsageError(f"{arg}: the folder holds no data files ({', '.join(SUFFIXES)})")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{arg}: no such file or folder")
    for f in files:
        if data_suffix(f) not in SUFFIXES:
            raise UsageError(f"{f}: unsupported file type",
                             hint=f"supported: {', '.join(SUFFIXES)} (optionally .gz)")
    return files
