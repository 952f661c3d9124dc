"""The Ray Data engine ([ray] extra): the same BatchJob on a Ray cluster, results in order.

Batches travel as rows of Arrow blocks (index, pickled batch) through `map_batches` to a fixed
pool of actors; each actor's __init__ calls job.setup() once, so heavy models load once per
worker. The job (with any golden index it carries) is put in the object store once and shared
by every actor. A worker that dies is restarted and its block retried (Ray's max_restarts /
max_task_retries); a job that still cannot finish raises ScanError, never partial results.
A GovernError raised by the job (a located input error) reaches the caller unchanged.
"""
from __future__ import annotations

import logging
import os
import pickle
import socket
import warnings
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from govern.engine.choice import Engine
from govern.engine.local import BatchJob
from govern.errors import GovernError, MissingDependency, ScanError, UsageError

RETRIES = 3  # restarts of a dead worker, and retries of the block it was running
HINT = "rerun with --engine local --workers 1 to see which record fails"


def import_ray():
    """Import ray (and Ray Data), or say how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise MissingDependency("Ray is not installed", hint="pip install 'govern[ray]'") from None
    return ray


class BatchWorker:
    """The actor Ray Data runs: job.setup() once, then job.run() for every batch of a block.

    Failures are returned in the batch's place rather than raised, so the driver raises the
    first one in batch order, as the local engine does: a GovernError as it is (it carries a
    file and line), anything else as its type name only (messages can quote data).
    """

    def __init__(self, job_ref: list):
        import ray
        self.job: BatchJob = ray.get(job_ref[0])
        self.failure: tuple | None = None
        try:
            self.state = self.job.setup()
        except Exception as e:
            self.failure = _failed(e)

    def __call__(self, block):
        import pyarrow as pa
        out = []
        for payload in block.column("batch").to_pylist():
            result = self.failure
            if result is None:
                try:
                    result = ("ok", self.job.run(self.state, pickle.loads(payload)))
                except Exception as e:
                    result = _failed(e)
            out.append(pickle.dumps(result))
        return pa.table({"index": block.column("index"),
                         "result": pa.array(out, pa.large_binary())})


def _failed(e: Exception) -> tuple:
    return ("error", e) if isinstance(e, GovernError) else ("failed", type(e).__name__)


@contextmanager
def cluster(ray, address: str | None, workers: int | None):
    """Use the running Ray session, connect to `address`, or start (and stop) a local one."""
    if ray.is_initialized():
        yield
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    # Ray Data warns (in C++) that a restarted actor needs its constructor arguments: they stay
    # referenced until the scan ends, so the warning would only alarm people reading CI logs
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    opts = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
    try:
        if address:
            check_reachable(address)
            ray.init(address=address, **opts)
        else:
            ray.init(num_cpus=workers or None, **opts)
    except (ConnectionError, RuntimeError, ValueError) as e:
        what = f"connect to the Ray cluster at {address}" if address else "start Ray here"
        raise ScanError(f"could not {what} ({type(e).__name__})",
                        hint="start a cluster with `ray start --head`, then pass --ray-address "
                             "HOST:PORT (or auto); or use --engine local") from None
    try:
        yield
    finally:
        ray.shutdown()


def errors_to_stderr() -> None:
    """Ray's driver prints worker deaths and retries ("(raylet) ...") on stdout, where they would
    break `--format json` output; send them to stderr, where the other diagnostics go."""
    from ray._private import worker
    original = getattr(worker, "print_to_stdstream", None)
    if original is None or getattr(original, "govern_stderr", False):
        return

    def to_stderr(data, ignore_prefix: bool):
        original({**data, "is_err": True}, ignore_prefix)
    to_stderr.govern_stderr = True
    worker.print_to_stdstream = to_stderr


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a HOST:PORT (or ray://HOST:PORT) nobody listens on: ray.init would retry
    such an address for ever, and a CI job would hang instead of exiting 2."""
    if address == "auto":
        return
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"Ray address {address!r} is not HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as e:
        raise ScanError(f"no Ray cluster answers at {address} ({type(e).__name__})",
                        hint="start one with `ray start --head`, or check --ray-address / "
                             "GOVERN_RAY_ADDRESS / [engine] ray_address") from None


def _failure(exc: BaseException) -> GovernError:
    """The GovernError behind a Ray error, or a ScanError naming the innermost cause."""
    chain, e = [], exc
    while e is not None and all(e is not c for c in chain):
        chain.append(e)
        cause = getattr(e, "cause", None)  # RayTaskError keeps the worker's exception here
        e = cause if isinstance(cause, BaseException) else (e.__cause__ or e.__context__)
    for e in chain:
        if isinstance(e, GovernError) and type(e).__module__.startswith("govern."):
            return e
    return ScanError(f"a Ray worker failed ({type(chain[-1]).__name__}); results would be "
                     "incomplete", hint=HINT)


def _blocks(batches: Iterable[list], size: int):
    """(sizes of the batches, Arrow tables of `size` pickled batches each)."""
    import pyarrow as pa
    sizes, rows, tables = [], [], []
    for b in batches:
        sizes.append(len(b))
        rows.append(pickle.dumps(b, protocol=5))
        if len(rows) == size:
            tables.append(_table(pa, len(sizes) - len(rows), rows))
            rows = []
    if rows:
        tables.append(_table(pa, len(sizes) - len(rows), rows))
    return sizes, tables


def _table(pa, start: int, rows: list[bytes]):
    return pa.table({"index": pa.array(range(start, start + len(rows)), pa.int64()),
                     "batch": pa.array(rows, pa.large_binary())})


def run_ray(job: BatchJob, batches: Iterable[list], workers: int | None, engine: Engine,
            on_batch: Callable[[int], None] | None = None) -> Iterator[list]:
    """Yield job.run() of each batch, in order, computed by `workers` Ray actors
    (default: one per CPU of the cluster)."""
    ray = import_ray()
    errors_to_stderr()
    sizes, tables = _blocks(batches, max(1, engine.batch_size))
    if not sizes:
        return
    with cluster(ray, engine.address, workers):
        nxt = 0
        try:
            ds = _dataset(ray, job, tables, workers)
            del tables  # the blocks are in the object store now
            for value in _in_order(ds):
                if on_batch:
                    on_batch(sizes[nxt])
                nxt += 1
                yield value
        except GovernError:
            raise
        except Exception as e:  # a worker died past its retries, or Ray itself failed
            raise _failure(e) from e
    if nxt != len(sizes):
        raise ScanError(f"the Ray engine returned {nxt} of {len(sizes)} batches", hint=HINT)


def _dataset(ray, job: BatchJob, tables: list, workers: int | None):
    """The lazy Ray Data pipeline: Arrow blocks -> map_batches on a fixed actor pool."""
    with warnings.catch_warnings():
        # Ray's own deprecated settings; and the retry limits have no named parameter yet
        # (without them Ray retries a dying worker forever)
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # no banners in CI logs
        pool = min(len(tables), workers or max(1, int(ray.cluster_resources().get("CPU", 1))))
        job_ref = ray.put(job)  # one copy in the object store, read by every actor
        return ray.data.from_arrow(tables).map_batches(
            BatchWorker, fn_constructor_args=([job_ref],), batch_format="pyarrow",
            batch_size=None, compute=ray.data.ActorPoolStrategy(size=pool), num_cpus=1,
            zero_copy_batch=True, max_restarts=RETRIES, max_task_retries=RETRIES)


def _in_order(ds) -> Iterator:
    """Results by batch index as blocks finish (in any order); failures raise in order."""
    done, nxt = {}, 0
    for out in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
        done.update(zip(out.column("index").to_pylist(), out.column("result").to_pylist()))
        while nxt in done:
            kind, value = pickle.loads(done.pop(nxt))
            if kind == "error":
                raise value
            if kind == "failed":
                raise ScanError(f"a worker failed ({value}); results would be incomplete",
                                hint=HINT)
            nxt += 1
            yield value
