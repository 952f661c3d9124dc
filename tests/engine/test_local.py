"""The local engine's small-job shortcut: below `inline_below` items no pool is started."""
from __future__ import annotations

import os

import pytest

from govern.engine.local import run_batches
from tests.engine.jobs import Pids


@pytest.mark.parametrize("items, inline_below, in_this_process", [
    (10, 0, False),     # the shortcut is off by default
    (10, 11, True),     # the whole job is smaller than the threshold
    (10, 10, False),    # a job that reaches it gets the pool
    (40, 16, False),
])
def test_small_jobs_run_in_this_process(items, inline_below, in_this_process):
    batches = [list(range(i, min(i + 4, items))) for i in range(0, items, 4)]
    out = list(run_batches(Pids(), iter(batches), workers=2, inline_below=inline_below))
    pids = {p for r in out for p in r}
    assert [len(r) for r in out] == [len(b) for b in batches]  # nothing lost or reordered
    assert (pids == {os.getpid()}) is in_this_process


def test_the_weight_of_a_batch_can_be_its_work():
    batches = [["a" * 1000], ["b" * 1000]]
    heavy = run_batches(Pids(), iter(batches), workers=2, inline_below=1500,
                        weight=lambda b: sum(map(len, b)))
    light = run_batches(Pids(), iter(batches), workers=2, inline_below=1500)
    assert {p for r in heavy for p in r} != {os.getpid()}
    assert {p for r in light for p in r} == {os.getpid()}
