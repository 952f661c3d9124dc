"""Parallel chunked ingest gives the same snapshot and the same located errors as sequential."""
from __future__ import annotations

import json

import pytest

from govern.data.readers import Limits
from govern.snapshot import chunks, create
from govern.store import init_store


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 2000)
    monkeypatch.setattr(create, "SHARD_RECORDS", 7)


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_chunked_equals_sequential(tmp_path, small_chunks):
    rows = [{"id": i, "text": f"line {i} " * (i % 5 + 1)} for i in range(300)]
    _write(tmp_path / "a.jsonl", rows[:170])
    _write(tmp_path / "b.jsonl", rows[170:])
    store, _ = init_store(tmp_path / "s")
    files = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    par = create.snapshot_files(store, files, workers=2).snapshot
    plan = chunks.plan_chunks([tmp_path / "a.jsonl", tmp_path / "b.jsonl"])[1]
    assert len(plan) > 4
    seq = create.snapshot_files(store, files, quarantine_path=tmp_path / "q.jsonl").snapshot
    assert par.id == seq.id
    got = [(r.file, r.line, r.record) for r in par.iter_records()]
    assert got == [(files[0], i + 1, rows[i]) for i in range(170)] + \
        [(files[1], i - 169, rows[i]) for i in range(170, 300)]


@pytest.mark.parametrize("bad_line", [5, 150, 299])
def test_drift_and_syntax_errors_name_the_first_bad_line(tmp_path, small_chunks, bad_line):
    store, _ = init_store(tmp_path / "s")
    rows = [{"id": i, "label": "x"} for i in range(300)]
    rows[bad_line - 1]["label"] = 1
    rows[bad_line + 0]["label"] = 2  # a later drift must not be reported first
    _write(tmp_path / "d.jsonl", rows)
    with pytest.raises(Exception) as e:
        create.snapshot_files(store, [str(tmp_path / "d.jsonl")], workers=2)
    assert f"d.jsonl:{bad_line}:" in str(e.value) and "label" in str(e.value)
    text = (tmp_path / "d.jsonl").read_text().splitlines()
    text[bad_line - 1] = '{"id": 1, "label": '
    (tmp_path / "e.jsonl").write_text("\n".join(text) + "\n")
    with pytest.raises(Exception) as e:
        create.snapshot_files(store, [str(tmp_path / "e.jsonl")], workers=2, limits=Limits())
    assert f"e.jsonl:{bad_line}:" in str(e.value) and "invalid JSON" in str(e.value)
