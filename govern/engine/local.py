"""The local engine: batches through a process pool, results in order, failures fail closed."""
from __future__ import annotations

import itertools
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator

from govern.errors import GovernError, ScanError


class BatchJob:
    """Subclass: `setup()` returns per-worker state; `run(state, batch)` returns a list."""

    def setup(self) -> Any:
        return None

    def run(self, state: Any, batch: list) -> list:
        raise NotImplementedError


_worker: dict = {}


def _init(job: BatchJob, parent: int | None = None) -> None:
    if parent is not None:
        watch_parent(parent)
    _worker["job"], _worker["state"] = job, job.setup()


def watch_parent(parent: int) -> None:
    """End this worker once its parent process is gone. A parent killed with SIGKILL stops no
    pool, and the workers' inherited copies of the task pipe would keep each other waiting
    for work forever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, name="govern-parent-watch", daemon=True).start()


def _call(batch: list) -> list:
    return _worker["job"].run(_worker["state"], batch)


def default_workers() -> int:
    return os.cpu_count() or 1


def run_batches(job: BatchJob, batches: Iterable[list], workers: int | None = None,
                on_batch: Callable[[int], None] | None = None,
                inline_below: int = 0, weight: Callable[[list], int] = len) -> Iterator[list]:
    """Yield job.run() of each batch, in order; workers<=1 runs in this process, and so does
    a job whose batches weigh less than `inline_below` in all (default weight: items), where
    starting a pool would cost more than it saves (a rescan the cache answers for 99%)."""
    workers = workers or default_workers()
    if workers > 1 and inline_below > 0:
        it, head, size = iter(batches), [], 0
        for b in it:
            head.append(b)
            size += weight(b)
            if size >= inline_below:
                break
        else:
            workers = 1
        batches = itertools.chain(head, it)
    if workers <= 1:
        state = job.setup()
        for b in batches:
            out = job.run(state, b)
            if on_batch:
                on_batch(len(b))
            yield out
        return
    import multiprocessing as mp
    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                             initargs=(job, os.getpid())) as pool:
        pending = []
        it = iter(batches)
        try:
            for b in it:
                pending.append((len(b), pool.submit(_call, b)))
                while len(pending) >= workers * 2:
                    n, fut = pending.pop(0)
                    yield fut.result()
                    if on_batch:
                        on_batch(n)
            for n, fut in pending:
                yield fut.result()
                if on_batch:
                    on_batch(n)
        except GovernError:  # located input errors and scan errors pass through as they are
            raise
        except Exception as e:  # a worker died or raised: fail closed, never partial
            raise ScanError(f"a worker failed ({type(e).__name__}); results would be incomplete",
                            hint="rerun with --workers 1 to see which record fails") from e


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
