"""Batch jobs for engine tests: they misbehave on purpose (kill their own worker, raise), and
live in an importable module so Ray workers can load them."""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from govern.engine import BatchJob
from govern.errors import InputError
from govern.snapshot.chunks import ChunkJob


def first_time(marker: str) -> bool:
    """True once per marker file, across processes (O_EXCL create)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


class Traced(BatchJob):
    """Squares numbers after a short, uneven sleep (so batches finish out of order); setup()
    leaves one file per call in `folder` so a test can count setups per worker process."""

    def __init__(self, folder: str):
        self.folder = folder

    def setup(self):
        Path(self.folder, f"setup-{os.getpid()}-{time.monotonic_ns()}").touch()
        return os.getpid()

    def run(self, pid, batch):
        time.sleep(0.05 * (batch[0] % 3))
        return [(x * x, pid) for x in batch]


@dataclass
class KillOnce(ChunkJob):
    """The real snapshot chunk job, except that the worker holding the chunk that starts at
    line `kill_line` kills its own process the first time (SIGKILL: no cleanup, no exception)."""

    marker: str = ""
    kill_line: int = 0

    def run(self, state, batch):
        if batch[0]["first_line"] == self.kill_line and first_time(self.marker):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().run(state, batch)


class AlwaysDies(BatchJob):
    def run(self, state, batch):
        os.kill(os.getpid(), signal.SIGKILL)


class Raises(BatchJob):
    def run(self, state, batch):
        if 5 in batch:
            raise RuntimeError("a scanner bug")
        return batch


class Located(BatchJob):
    """Raises govern's own located input error on one batch, like a malformed record does."""

    def run(self, state, batch):
        if 13 in batch:
            raise InputError("value out of range", "data.jsonl", 13, hint="fix line 13")
        return batch


class KillOnceInStore(ChunkJob):
    """The snapshot chunk job as `snapshot create` builds it, except that the worker holding the
    second chunk kills its own process, once per store (the marker sits beside its objects)."""

    def run(self, state, batch):
        marker = Path(self.objects_root).parent / "killed-once"
        if batch[0]["first_line"] > 1 and first_time(str(marker)):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().run(state, batch)


class DiesOnEveryChunk(ChunkJob):
    def run(self, state, batch):
        os.kill(os.getpid(), signal.SIGKILL)


class Pids(BatchJob):
    """Answers each item with the id of the process that ran it."""

    def run(self, state, batch: list) -> list:
        return [os.getpid()] * len(batch)
