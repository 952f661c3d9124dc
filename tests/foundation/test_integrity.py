"""verify re-hashes every byte: damaged objects and edited metadata exit 3, named."""
from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest


@pytest.fixture
def snap(govern):
    p = govern.tmp_path / "d.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": f"row {i}"}) + "\n" for i in range(40)))
    res = govern("snapshot", "create", p, "--name", "base", "--json")
    sid = json.loads(res.output)["id"]
    show = json.loads(govern("snapshot", "show", sid, "--json").output)
    return sid, show


def _object(govern, digest):
    path = govern.store / "objects" / digest[:2] / digest[2:]
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


def _flip(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


DAMAGE = {
    "flip a byte": _flip,
    "truncate": lambda p: p.write_bytes(p.read_bytes()[:-7]),
    "delete": lambda p: p.unlink(),
}


@pytest.mark.parametrize("what", ["shard", "manifest"])
@pytest.mark.parametrize("how", list(DAMAGE))
def test_damaged_object_is_named_and_exits_3(govern, snap, what, how):
    sid, show = snap
    assert govern("verify", "--all").exit_code == 0
    digest = show["shards"][0]["digest"] if what == "shard" else show["manifest_digest"]
    DAMAGE[how](_object(govern, digest))
    res = govern("verify", sid)
    assert res.exit_code == 3, res.output
    assert digest in res.output


def test_edited_catalog_metadata_is_caught(govern, snap):
    sid, _ = snap
    db = sqlite3.connect(govern.store / "catalog.sqlite")
    db.execute("UPDATE snapshots SET count = count - 1 WHERE id = ?", (sid,))
    db.commit()
    db.close()
    res = govern("verify", "--all")
    assert res.exit_code == 3
    assert "count" in res.output and sid[:12] in res.output


def test_objects_are_read_only_after_write(govern, snap):
    _, show = snap
    path = govern.store / "objects" / show["shards"][0]["digest"][:2] / show["shards"][0]["digest"][2:]
    assert not os.stat(path).st_mode & stat.S_IWUSR


@pytest.mark.parametrize("name", ["../escape", "/abs/path", "a/b", "..", "bad name", ".hidden", ""])
def test_names_cannot_escape_the_store(govern, snap, name):
    p = govern.tmp_path / "d.jsonl"
    res = govern("snapshot", "create", p, "--name", name)
    assert res.exit_code == 2, res.output
    assert "invalid name" in res.output
    assert govern("snapshot", "tag", "base", name).exit_code == 2


def test_refs_resolve_by_id_prefix_name_and_tag(govern, snap):
    sid, _ = snap
    assert govern("snapshot", "tag", "base", "v1").exit_code == 0
    for ref in (sid, sid[:8], "base", "v1"):
        out = json.loads(govern("snapshot", "show", ref, "--json").output)
        assert out["id"] == sid
    res = govern("snapshot", "show", "nope")
    assert res.exit_code == 2 and "no snapshot" in res.output


def test_diff_reports_added_removed_changed_with_lines(govern, snap):
    sid, _ = snap
    p = govern.tmp_path / "d2.jsonl"
    rows = [{"id": i, "text": f"row {i}"} for i in range(40) if i != 5]
    rows[10]["text"] = "edited"
    rows.append({"id": 99, "text": "new"})
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    sid2 = json.loads(govern("snapshot", "create", p, "--parent", "base", "--json").output)["id"]
    d = json.loads(govern("snapshot", "diff", sid, sid2, "--json").output)
    assert [r["line"] for r in d["added"]] == [40]
    assert [r["line"] for r in d["removed"]] == [6]
    assert [(c["from"]["line"], c["to"]["line"], c["fields"]) for c in d["changed"]] == \
        [(12, 11, ["text"])]
    assert d["unchanged"] == 38
    show = json.loads(govern("snapshot", "show", sid2, "--json").output)
    assert show["parent"] == sid


def test_unexpected_error_goes_to_a_log_not_the_terminal(govern, snap):
    (govern.store / "catalog.sqlite").write_bytes(b"this is not a database" * 100)
    for f in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (govern.store / f).unlink(missing_ok=True)
    import subprocess
    import sys
    res = subprocess.run([sys.executable, "-c", "from govern.cli.main import main; main()",
                          "--store", str(govern.store), "snapshot", "list"],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr + res.stdout
    assert "internal error" in res.stderr
    logs = list((govern.store / "logs").glob("crash-*.log"))
    assert logs and "sqlite3" in logs[0].read_text()
