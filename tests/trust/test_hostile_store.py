"""Issue 21, row by row: the repro commands against a real store, edited with sqlite3 and
plain file writes; each asserts the contract of its row."""
from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from tests.trust.conftest import rows, write_jsonl


def _writable(path):
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


# 1 -- a result is evidence only for the snapshot it names ---------------------------------
def test_1_a_result_swapped_to_another_snapshot_is_no_evidence(trust):
    a, p = trust.ids["A"], trust.ids["P"]
    before = trust.sql("SELECT COUNT(*) FROM results WHERE kind='attestation'")[0][0]
    trust.sql("UPDATE results SET digest=(SELECT digest FROM results WHERE kind='pii' AND "
              "subject=?) WHERE kind='pii' AND subject=?", (a, p))
    res = trust("gate", "P")
    assert res.exit_code == 3, res.output
    assert "pii result" in res.output and "swapped" in res.output
    assert trust.sql("SELECT COUNT(*) FROM results WHERE kind='attestation'")[0][0] == before
    assert trust("scan", "pii", "P").exit_code == 3
    assert trust("gate", "P", "--run").exit_code == 3
    verify = trust("verify", "--all")
    assert verify.exit_code == 3 and p[:12] in verify.output
    assert trust("audit", "verify").exit_code == 3  # the catalog row is in no ledger entry


# 2 -- attest verify REF requires the envelope's subject to be REF ------------------------
def test_2_attestation_row_pointed_at_another_snapshot_exits_3(trust):
    a, b = trust.ids["A"], trust.ids["B"]
    trust.sql("UPDATE results SET digest=(SELECT digest FROM results WHERE kind='attestation' "
              "AND subject=?) WHERE kind='attestation' AND subject=?", (a, b))
    res = trust("attest", "verify", "B")
    assert res.exit_code == 3, res.output
    assert "swapped" in res.output
    out = trust.tmp_path / "b.att.json"
    assert trust("attest", "export", "B", out).exit_code == 3
    assert not out.exists()
    assert trust("attest", "verify", "A").exit_code == 0


# 3 -- nothing is signed over damaged data -------------------------------------------------
def _flip(path):
    data = bytearray(_writable(path).read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_flip, os.unlink], ids=["flipped-byte", "deleted"])
def test_3_a_damaged_shard_is_never_signed_or_served_from_cache(trust, damage):
    a = trust.ids["A"]
    shard = trust.shard(a)
    before = trust.sql("SELECT COUNT(*) FROM ledger")[0][0]
    damage(shard)
    for args in (["gate", "A"], ["gate", "A", "--run"], ["scan", "pii", "A"],
                 ["attest", "verify", "A"]):
        res = trust(*args)
        assert res.exit_code == 3, (args, res.output)
        assert shard.parent.name + shard.name in res.output, res.output  # the object named
    assert trust.sql("SELECT COUNT(*) FROM ledger")[0][0] == before  # nothing signed or logged


# 4 -- a ledger that cannot be cut -----------------------------------------------------------
def test_4_cut_ledger_is_detected_and_refused(trust):
    trust.sql("DELETE FROM ledger WHERE seq > (SELECT MAX(seq) - 3 FROM ledger)")
    (trust.store / "ledger.head").unlink()
    res = trust("gate", "A")
    assert res.exit_code == 3 and "ledger" in res.output, res.output
    res = trust("train", "A", "--base-model", trust.tmp_path / "no-model", "--out",
                trust.tmp_path / "ad")
    assert res.exit_code == 3 and "ledger" in res.output, res.output
    res = trust("audit", "verify")
    assert res.exit_code == 3, res.output


def test_4_cut_ledger_with_its_head_left_is_not_healed_by_a_new_entry(trust):
    trust.sql("DELETE FROM ledger WHERE seq > (SELECT MAX(seq) - 3 FROM ledger)")
    assert trust("gate", "A").exit_code == 3
    assert trust("audit", "verify").exit_code == 3


def test_4_emptied_ledger_without_head_is_broken(trust):
    trust.sql("DELETE FROM ledger")
    (trust.store / "ledger.head").unlink()
    res = trust("audit", "verify")
    assert res.exit_code == 3 and "intact" not in res.output, res.output
    assert trust("gate", "A").exit_code == 3


def test_4_forged_unsigned_head_is_refused(trust):
    trust.sql("DELETE FROM ledger WHERE seq > (SELECT MAX(seq) - 3 FROM ledger)")
    seq, h = trust.sql("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")[0]
    (trust.store / "ledger.head").write_text(f"{seq} {h}\n")
    assert trust("audit", "verify").exit_code == 3
    assert trust("gate", "A").exit_code == 3


# 5 -- verify --all re-hashes every object ---------------------------------------------------
def test_5_edited_result_object_fails_verify_all(trust):
    path = trust.object_path(trust.result_digest("pii", trust.ids["A"]))
    payload = json.loads(_writable(path).read_bytes())
    payload["blocking"] = {}
    path.write_text(json.dumps(payload))
    res = trust("verify", "--all")
    assert res.exit_code == 3, res.output
    assert path.parent.name + path.name in res.output


def test_5_verify_all_reports_orphans_but_passes_an_intact_store(trust):
    res = trust("verify", "--all", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["objects"] > 6 and out["orphans"] == []
    from govern.store import open_store
    orphan = open_store(trust.store).objects.put_bytes(b"planted")
    res = trust("verify", "--all", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["orphans"] == [orphan]


# 6 -- each adapter verifies against its own manifest ----------------------------------------
def test_6_a_second_training_run_leaves_the_first_adapter_verifying(govern, tiny_llama,
                                                                     train_toml):
    from tests.train.conftest import attest, chat_records, snapshot
    attest(govern, snapshot(govern, chat_records(8), "chat"))
    for out in ("ad1", "ad2"):
        res = govern("train", "chat", "--base-model", tiny_llama, "--out", govern.tmp_path / out,
                     "--config", train_toml, "--max-steps", 1, "--seed", 1)
        assert res.exit_code == 0, res.output
    for out in ("ad1", "ad2"):
        res = govern("adapter", "verify", govern.tmp_path / out)
        assert res.exit_code == 0, res.output
        assert "matches the store's record" in res.output
    listed = json.loads(govern("adapter", "list", "--json").output)
    assert len(listed) == 2 and len({a["manifest"] for a in listed}) == 2


# 7 -- a name is taken once, atomically --------------------------------------------------------
def test_7_name_is_decided_once_sequentially(trust):
    c1 = write_jsonl(trust.tmp_path / "c1.jsonl", rows("c", 5))
    new = write_jsonl(trust.tmp_path / "new.jsonl", rows("n", 5))
    assert trust("snapshot", "create", c1).exit_code == 0
    assert trust("snapshot", "create", c1, "--name", "nm3").exit_code == 0
    res = trust("snapshot", "create", new, "--name", "nm3")
    assert res.exit_code == 1 and "name taken" in res.output, res.output
    res = trust("snapshot", "create", new, "--name", "nm4")
    assert res.exit_code == 0
    res = trust("snapshot", "create", c1, "--name", "nm4")
    assert res.exit_code == 1 and "name taken" in res.output, res.output


def test_7_concurrent_creates_of_one_name_have_one_winner(trust):
    c1 = write_jsonl(trust.tmp_path / "c1.jsonl", rows("c", 5))
    assert trust("snapshot", "create", c1).exit_code == 0
    for i in range(3):
        new = write_jsonl(trust.tmp_path / f"new{i}.jsonl", rows(f"n{i}", 5))
        procs = [subprocess.Popen(trust.command("snapshot", "create", path, "--name", f"nm{i}"),
                                  cwd=trust.tmp_path, env=trust.env(), text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for path in (c1, new)]
        outs = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        assert sorted(code for code, _ in outs) == [0, 1], outs
        assert any("name taken" in err for code, err in outs if code == 1)
        owners = trust.sql("SELECT id FROM snapshots WHERE name=? UNION ALL "
                           "SELECT snapshot FROM tags WHERE tag=?", (f"nm{i}", f"nm{i}"))
        assert len(owners) == 1, owners


# 8 -- export never replaces a link or a special file -----------------------------------------
def test_8_export_refuses_symlinks_and_special_files(trust):
    target = trust.tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = trust.tmp_path / "out.jsonl"
    link.symlink_to(target)
    res = trust.sub("snapshot", "export", "A", link)
    assert res.returncode == 2 and "symbolic link" in res.stderr, res.stderr
    assert link.is_symlink() and target.read_text() == "keep me\n"
    fifo = trust.tmp_path / "pipe"
    os.mkfifo(fifo)
    res = trust("snapshot", "export", "A", fifo)
    assert res.exit_code == 2 and "special file" in res.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    plain = trust.tmp_path / "plain.jsonl"
    plain.write_text("old\n")
    assert trust("snapshot", "export", "A", plain).exit_code == 0
    assert len(plain.read_text().splitlines()) == 12
    assert not [p for p in trust.tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_8_gate_output_and_attestation_export_refuse_symlinks(trust):
    target = trust.tmp_path / "precious.txt"
    target.write_text("keep me\n")
    for i, args in enumerate((["gate", "A", "--format", "junit", "--output"],
                              ["attest", "export", "A"])):
        link = trust.tmp_path / f"link{i}"
        link.symlink_to(target)
        res = trust(*args, link)
        assert res.exit_code == 2, res.output
        assert link.is_symlink() and target.read_text() == "keep me\n"


# 9 -- keys folder 0700, key files 0600 whatever the umask ---------------------------------------
def test_9_keys_are_private_whatever_the_umask(tmp_path, monkeypatch):
    from tests.conftest import Govern
    monkeypatch.chdir(tmp_path)
    g = Govern(tmp_path)
    old = os.umask(0)
    try:
        assert g("init").exit_code == 0
    finally:
        os.umask(old)
    keys = g.store / "keys"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o700
    for f in keys.iterdir():
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f


def test_9_loose_key_permissions_warn_at_load(trust):
    keys = trust.store / "keys"
    os.chmod(keys, 0o755)
    os.chmod(keys / "signing.pub", 0o644)
    res = trust.sub("snapshot", "list")
    assert res.returncode == 0
    assert "warning" in res.stderr and "0755" in res.stderr and "signing.pub" in res.stderr


# 10 -- moving a tag is explicit and in the ledger -------------------------------------------------
def test_10_moving_a_tag_needs_force_and_is_logged(trust):
    assert trust("snapshot", "tag", "A", "prod").exit_code == 0
    res = trust("snapshot", "tag", "B", "prod")
    assert res.exit_code == 1 and "name taken" in res.output and "--force" in res.output
    assert trust.sql("SELECT snapshot FROM tags WHERE tag='prod'")[0][0] == trust.ids["A"]
    assert trust("snapshot", "tag", "B", "prod", "--force").exit_code == 0
    assert trust.sql("SELECT snapshot FROM tags WHERE tag='prod'")[0][0] == trust.ids["B"]
    last = json.loads(trust("audit", "log", "--json", "-n", "1").output)[0]
    assert last["command"] == "snapshot tag"
    assert last["inputs"] == {"snapshot": trust.ids["B"], "moved_from": trust.ids["A"]}
    assert trust("snapshot", "tag", "B", "A").exit_code == 1  # a snapshot's name never moves


# older stores: a result that names no subject is no evidence until the scan is re-run -----
def test_unbound_result_from_an_older_govern_is_stale_until_rescanned(trust):
    from govern.digests import canonical_json
    from govern.store import open_store
    store = open_store(trust.store)
    row = store.list_results("pii", trust.ids["A"])[-1]
    old = {k: v for k, v in store.get_json(row["digest"]).items() if k != "bound"}
    digest = store.objects.put_bytes(canonical_json(old).encode())
    store.close()
    trust.sql("UPDATE results SET digest=? WHERE kind='pii' AND subject=?", (digest, trust.ids["A"]))
    res = trust("gate", "A")
    assert res.exit_code == 1 and "older govern" in res.output, res.output
    assert trust("scan", "pii", "A").exit_code == 0  # rescanned, stored bound
    assert trust("gate", "A").exit_code == 0
    res = trust("verify", "--all")
    assert res.exit_code == 0, res.output


def test_4_cut_ledger_with_a_resigned_head_still_shows_in_audit_verify(trust):
    """Even with the store's own key (head re-signed after the cut), the heads recorded inside
    results and attestations, and result rows no entry records, show the cut."""
    from govern.store import ledger, open_store
    trust.sql("DELETE FROM ledger WHERE seq > (SELECT MAX(seq) - 3 FROM ledger)")
    store = open_store(trust.store)
    seq, h = ledger.last(store.db)
    ledger.write_head(store.ledger_head, seq, h, store._head_signer())
    assert store.ledger_problems() == []  # the chain and its signed head alone look fine
    store.close()
    res = trust("audit", "verify")
    assert res.exit_code == 3, res.output
    assert "no longer holds" in res.output or "in no ledger entry" in res.output
