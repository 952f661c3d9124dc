"""`govern scan pii` end to end: exit codes, the findings contract, stored results, the cache."""
from __future__ import annotations

import json

from govern.findings import fingerprint
from tests.pii.conftest import TICKETS, write_jsonl

FIELDS = {"row", "line", "field", "type", "start", "end", "score", "detector", "fingerprint", "mask"}


def _snapshot(govern, path, name="t"):
    res = govern("snapshot", "create", path, "--name", name)
    assert res.exit_code == 0, res.output
    return res.output.strip().splitlines()[-1]


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_snapshot_scan_reports_the_contract_with_exact_offsets(govern, tickets):
    _snapshot(govern, tickets)
    res = govern("scan", "pii", "t", "--format", "jsonl", "--workers", "1")
    assert res.exit_code == 1  # blocking findings
    found = _jsonl(res.stdout)
    key = (govern.store / "keys" / "fingerprint.key").read_bytes().strip()
    for f in found:
        assert FIELDS <= set(f)
        rec = TICKETS[f["row"]]
        text = rec["text"] if f["field"] == "text" else \
            rec["messages"][int(f["field"][9])]["content"]
        assert f["fingerprint"] == fingerprint(key, text[f["start"]:f["end"]])
        assert f["line"] == f["row"] + 1
    got = {(f["row"], f["type"]) for f in found}
    assert {(0, "PERSON"), (0, "EMAIL_ADDRESS"), (0, "PHONE_NUMBER"),
            (2, "SECRET_AWS_ACCESS_KEY"), (3, "PERSON"), (3, "STREET_ADDRESS")} <= got
    assert not any(f["row"] == 1 for f in found)  # order numbers and product codes
    user = [f for f in found if f["row"] == 3]
    assert {f["role"] for f in user} == {"user"}


def test_raw_file_scan_and_field_selection(govern, tickets):
    res = govern("scan", "pii", tickets, "--format", "json", "--field", "messages")
    doc = json.loads(res.stdout)
    assert res.exit_code == 1 and doc["digest"] is None
    assert {f["field"] for f in doc["findings"]} == {"messages[0].content"}
    assert doc["summary"]["total"] == 4 and doc["summary"]["scanned"] == 4


def test_clean_data_exits_zero(govern, tmp_path):
    path = tmp_path / "clean.jsonl"
    write_jsonl(path, [{"text": "The tablet will not sync after the update."},
                       {"text": "Order 12345678 arrived late, product code AB-1234."}])
    res = govern("scan", "pii", path, "--workers", "2")
    assert res.exit_code == 0, res.output
    assert "PASS" in res.output


def test_result_is_stored_and_reused(govern, tickets):
    from govern.pii.scan import config_digest
    from govern.policy import load_policy
    from govern.store import open_store
    sid = _snapshot(govern, tickets)
    first = json.loads(govern("scan", "pii", "t", "--format", "json").stdout)
    second = json.loads(govern("scan", "pii", "t", "--format", "json").stdout)
    assert first["digest"] == second["digest"]
    store = open_store(govern.store)
    digest, payload = store.get_result("pii", sid, config_digest(load_policy()))
    assert digest == first["digest"]
    assert payload["scanned"] + payload["failed"] == payload["total"] == 4
    assert payload["blocking"]["secrets"] == 1 and payload["status"] == "fail"
    blob = store.objects.get_bytes(payload["findings_object"]).decode()
    assert len(blob.splitlines()) == payload["findings"] == sum(payload["by_type"].values())


def test_child_snapshot_rescans_only_changed_records(govern, tmp_path):
    from govern.pii.scan import scan_target
    from govern.policy import load_policy
    from govern.snapshot import resolve
    from govern.snapshot.target import Target
    from govern.store import open_store
    records = [{"text": f"ticket {i}: Jonathan Pryce reported issue {i}"} for i in range(100)]
    write_jsonl(tmp_path / "a.jsonl", records)
    records[7] = {"text": "ticket 7: mail jane.doe@example.org"}
    write_jsonl(tmp_path / "b.jsonl", records)
    _snapshot(govern, tmp_path / "a.jsonl", "a")
    _snapshot(govern, tmp_path / "b.jsonl", "b")
    store, policy = open_store(govern.store), load_policy()
    full = scan_target(store, Target("a", snapshot=resolve(store, "a")), policy, workers=1)
    child = scan_target(store, Target("b", snapshot=resolve(store, "b")), policy, workers=1)
    assert full.cached == 0 and child.cached == 99
    assert child.summary["by_type"] == {"EMAIL_ADDRESS": 1, "PERSON": 99}


def test_worker_pool_gives_the_same_findings(govern, tickets, monkeypatch):
    import govern.pii.scan as scan
    monkeypatch.setattr(scan, "INLINE_WEIGHT", 0)  # a pool even for this small file
    one = govern("scan", "pii", tickets, "--format", "jsonl", "--workers", "1").stdout
    from govern.store import open_store
    open_store(govern.store).db.execute("DELETE FROM cache")  # make the pool do the work
    two = govern("scan", "pii", tickets, "--format", "jsonl", "--workers", "2").stdout
    assert one == two and len(_jsonl(one)) >= 6


def test_policy_change_gives_a_new_result(govern, tickets):
    from govern.pii.scan import config_digest
    from govern.policy import load_policy
    _snapshot(govern, tickets)
    before = config_digest(load_policy())
    first = json.loads(govern("scan", "pii", "t", "--format", "json").stdout)
    policy = govern.tmp_path / "govern.toml"
    policy.write_text(policy.read_text().replace('actions = { LOCATION = "redact" }',
                                                 'actions = { LOCATION = "redact", PERSON = "allow" }'))
    assert config_digest(load_policy()) != before
    second = json.loads(govern("scan", "pii", "t", "--format", "json").stdout)
    assert second["digest"] != first["digest"]
    assert second["summary"]["blocking"]["pii"] < first["summary"]["blocking"]["pii"]
