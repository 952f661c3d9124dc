"""The Ray engine on a real local cluster: order, one setup per worker, a killed worker's
batches retried to a complete and identical result, failures that fail closed (exit 2)."""
from __future__ import annotations

import json

import pytest

from govern.engine import Engine, run
from govern.errors import InputError, ScanError
from govern.snapshot.chunks import ChunkJob, plan_chunks
from tests.engine import jobs

RAY = Engine("ray", batch_size=2)


def test_results_in_batch_order_and_one_setup_per_worker(ray_cluster, tmp_path):
    batches = [[i, i + 100] for i in range(24)]
    seen = []
    out = list(run(jobs.Traced(str(tmp_path)), batches, workers=2, engine=RAY,
                   on_batch=seen.append))
    assert [[sq for sq, _ in r] for r in out] == [[i * i, (i + 100) ** 2] for i in range(24)]
    assert seen == [2] * 24
    pids = {pid for r in out for _, pid in r}
    setups = [p.name.split("-")[1] for p in tmp_path.iterdir()]
    assert 1 <= len(pids) <= 2
    assert sorted(setups) == sorted(map(str, pids))  # each worker set up exactly once


def _chunk_inputs(tmp_path, n=400):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": f"record {i} " * (i % 7 + 1)}) + "\n"
                            for i in range(n)))
    sources, chunks = plan_chunks([path], chunk_bytes=2000)
    assert len(chunks) >= 8
    return path, chunks


def test_killed_worker_is_retried_and_the_result_is_complete_and_identical(ray_cluster,
                                                                           tmp_path):
    path, chunks = _chunk_inputs(tmp_path)
    objects = tmp_path / "objects"
    local = list(run(ChunkJob(str(objects), [str(path)], _limits(), 50), ([c] for c in chunks),
                     workers=1))
    marker = tmp_path / "killed"
    victim = chunks[len(chunks) // 2]["first_line"]  # mid-scan
    job = jobs.KillOnce(str(tmp_path / "objects-ray"), [str(path)], _limits(), 50,
                        marker=str(marker), kill_line=victim)
    remote = list(run(job, ([c] for c in chunks), workers=2, engine=RAY))
    assert marker.exists()  # the worker really was killed
    assert remote == local
    assert sum(len(p[0]["digests"]) for p in remote) == 400


def test_a_job_whose_worker_always_dies_raises_scan_error(ray_cluster):
    with pytest.raises(ScanError) as e:
        list(run(jobs.AlwaysDies(), [[1], [2], [3]], workers=1, engine=RAY))
    assert e.value.exit_code == 2


def test_a_job_that_raises_fails_closed(ray_cluster):
    with pytest.raises(ScanError) as e:
        list(run(jobs.Raises(), [[i] for i in range(8)], workers=2, engine=RAY))
    assert "RuntimeError" in e.value.message and e.value.exit_code == 2
    assert "a scanner bug" not in e.value.message  # messages never quote what the job saw


def test_a_located_input_error_reaches_the_caller_unchanged(ray_cluster):
    with pytest.raises(InputError) as e:
        list(run(jobs.Located(), [[i] for i in range(20)], workers=2, engine=RAY))
    assert (e.value.file, e.value.line, e.value.hint) == ("data.jsonl", 13, "fix line 13")
    assert e.value.message == "data.jsonl:13: value out of range"


def test_no_batches_starts_nothing():
    assert list(run(jobs.Raises(), [], engine=RAY)) == []


def _limits():
    from govern.data.readers import Limits
    return Limits()
