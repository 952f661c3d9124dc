"""The audit ledger: every change is logged; editing, removing or reordering exits 3."""
from __future__ import annotations

import json
import sqlite3

import pytest


@pytest.fixture
def logged(govern):
    p = govern.tmp_path / "d.jsonl"
    for i in range(3):
        p.write_text(json.dumps({"text": f"v{i}"}) + "\n")
        assert govern("snapshot", "create", p).exit_code == 0
    assert govern("snapshot", "tag", json.loads(
        govern("snapshot", "list", "--json").output)[0]["id"], "first").exit_code == 0
    res = govern("audit", "log", "--json")
    entries = json.loads(res.output)
    assert [e["command"] for e in entries] == ["init", "init policy", "snapshot create",
                                               "snapshot create", "snapshot create", "snapshot tag"]
    assert govern("audit", "verify").exit_code == 0
    return sqlite3.connect(govern.store / "catalog.sqlite", isolation_level=None)


def _alter(db):
    entry = json.loads(db.execute("SELECT entry FROM ledger WHERE seq=3").fetchone()[0])
    entry["actor"] = "mallory"
    db.execute("UPDATE ledger SET entry=? WHERE seq=3", (json.dumps(entry),))


def _remove_middle(db):
    db.execute("DELETE FROM ledger WHERE seq=4")


def _remove_last(db):
    db.execute("DELETE FROM ledger WHERE seq=(SELECT MAX(seq) FROM ledger)")


def _reorder(db):
    a = db.execute("SELECT entry, prev, hash FROM ledger WHERE seq=3").fetchone()
    b = db.execute("SELECT entry, prev, hash FROM ledger WHERE seq=4").fetchone()
    db.execute("UPDATE ledger SET entry=?, prev=?, hash=? WHERE seq=3", b)
    db.execute("UPDATE ledger SET entry=?, prev=?, hash=? WHERE seq=4", a)


@pytest.mark.parametrize("tamper", [_alter, _remove_middle, _remove_last, _reorder],
                         ids=["alter", "remove-middle", "remove-last", "reorder"])
def test_tampered_ledger_exits_3(govern, logged, tamper):
    tamper(logged)
    res = govern("audit", "verify")
    assert res.exit_code == 3, res.output
    assert "ledger" in res.output
