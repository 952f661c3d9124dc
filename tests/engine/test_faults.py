"""Fault tolerance end to end: `snapshot create --engine ray` survives a worker killed mid-run
with the same snapshot id, and a run whose workers keep dying exits 2 and stores nothing."""
from __future__ import annotations

import json

import pytest

from govern.snapshot import chunks
from tests.engine import jobs
from tests.engine.conftest import TICKETS


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 4000)


def test_a_killed_worker_is_retried_and_the_snapshot_id_is_unchanged(
        ray_cluster, twin_stores, small_chunks, monkeypatch):
    local, ray = twin_stores("local"), twin_stores("ray")
    want = json.loads(local("snapshot", "create", TICKETS, "--json").stdout)
    monkeypatch.setattr(chunks, "ChunkJob", jobs.KillOnceInStore)  # what the workers will run
    res = ray("snapshot", "create", TICKETS, "--engine", "ray", "--json")
    assert res.exit_code == 0, res.output
    assert (ray.store / "killed-once").exists()  # a worker really died mid-run
    got = json.loads(res.stdout)  # Ray's notes on the dead worker went to stderr
    assert (got["id"], got["count"]) == (want["id"], 300)
    assert ray("verify", "--all").exit_code == 0


def test_a_run_whose_workers_keep_dying_exits_2_and_stores_nothing(
        ray_cluster, twin_stores, small_chunks, monkeypatch):
    g = twin_stores("ray")
    monkeypatch.setattr(chunks, "ChunkJob", jobs.DiesOnEveryChunk)
    res = g("snapshot", "create", TICKETS, "--engine", "ray")
    assert res.exit_code == 2
    assert "error: a Ray worker failed" in res.output
    assert json.loads(g("snapshot", "list", "--json").stdout) == []
