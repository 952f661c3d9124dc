"""Choosing the engine for the heavy steps and running a BatchJob on it.

`local` (a process pool on this machine) is the default and needs nothing extra; `ray` runs the
same job on a Ray cluster through Ray Data ([ray] extra). The choice is read from the command
line, then the environment (GOVERN_ENGINE, GOVERN_RAY_ADDRESS), then the policy's [engine]
section. Whatever the engine, results come back in batch order and a job that cannot finish
raises ScanError: the engines differ in where the work runs, never in what it returns.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from govern.engine.local import BatchJob, run_batches
from govern.errors import UsageError

ENGINES = ("local", "ray")
BATCH_SIZE = 4  # job batches per Ray Data block (one actor call, one retry unit)


@dataclass(frozen=True)
class Engine:
    """Where a BatchJob runs: `name` is local or ray; `address` an existing Ray cluster
    (None: start a local one); `batch_size` job batches per Ray Data block."""

    name: str = "local"
    address: str | None = None
    batch_size: int = BATCH_SIZE


LOCAL = Engine()


def choose_engine(name: str | None = None, address: str | None = None,
                  section: dict | None = None) -> Engine:
    """Resolve the engine: arguments, then GOVERN_ENGINE / GOVERN_RAY_ADDRESS, then the policy
    [engine] section, then local. An explicit address means ray."""
    section = section or {}
    if address and name == "local":
        raise UsageError("a Ray address was given with the local engine",
                         hint="drop --ray-address, or use --engine ray")
    if address and not name:
        name = "ray"
    name = name or os.environ.get("GOVERN_ENGINE") or section.get("default") or "local"
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}", hint="choose one of: " + ", ".join(ENGINES))
    address = (address or os.environ.get("GOVERN_RAY_ADDRESS")
               or section.get("ray_address") or None)
    if name == "local":
        address = None
    return Engine(name, address, int(section.get("batch_size") or BATCH_SIZE))


def run(job: BatchJob, batches: Iterable[list], workers: int | None = None,
        engine: Engine | None = None,
        on_batch: Callable[[int], None] | None = None, inline_below: int = 0,
        weight: Callable[[list], int] = len) -> Iterator[list]:
    """Yield job.run() of each batch, in order, on the chosen engine (default: local);
    `inline_below`: see `run_batches` (the local engine's small-job shortcut)."""
    engine = engine or LOCAL
    if engine.name == "ray":
        from govern.engine.ray import run_ray
        return run_ray(job, batches, workers, engine, on_batch)
    return run_batches(job, batches, workers, on_batch, inline_below, weight)
