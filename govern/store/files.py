"""Writing output files (exports, reports, attestations) without clobbering what is there.

A file is written to a temp file in the target folder and renamed over the target only when
the target is a regular file or does not exist: a symlink (e.g. /dev/stdout), a device, a
FIFO or a folder is never replaced, and a half-written output is never visible.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator

from govern.errors import UsageError


def _refuse_unless_regular(path: Path) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        what = "a symbolic link"
    elif stat.S_ISDIR(st.st_mode):
        what = "a folder"
    elif not stat.S_ISREG(st.st_mode):
        what = "a special file (device, FIFO or socket)"
    else:
        return
    raise UsageError(f"{path} is {what}; govern only writes over regular files",
                     hint="choose a path to a new or regular file")


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets 0666 minus the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def safe_output(path: Path | str, text: bool = True) -> Iterator[IO]:
    """Yield a file to write; on success it replaces PATH (a regular file or nothing)."""
    path = Path(path)
    _refuse_unless_regular(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"no folder {folder} to write {path.name} into")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        _refuse_unless_regular(path)  # again, just before the rename
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_output(path: Path | str, data: str | bytes) -> None:
    """Write a whole output file safely (see safe_output)."""
    with safe_output(path, text=isinstance(data, str)) as f:
        f.write(data)
