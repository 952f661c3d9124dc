"""Never leak the value: planted canaries appear in no output, log, file or stored result."""
from __future__ import annotations

import json
import logging
import sqlite3

from tests.pii.conftest import write_jsonl

CANARIES = ["qzcanary.vexhollow@example.com", "AKIAQZ7CANARY2X9W5V3", "Vexhollow!Pw9931",
            "(212) 555-0187", "Oriel Vexhollow", "536-71-9042"]


def test_canaries_never_leave_the_data(govern, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "canary.jsonl"
    write_jsonl(path, [
        {"text": f"Dear {CANARIES[4]}, write to {CANARIES[0]} or call {CANARIES[3]}."},
        {"text": f"deploy with {CANARIES[1]} and password={CANARIES[2]}"},
        {"messages": [{"role": "user", "content": f"my ssn is {CANARIES[5]}"}]},
    ])
    assert govern("snapshot", "create", path, "--name", "c").exit_code == 0
    outputs = []
    for fmt in ("table", "json", "jsonl", "sarif"):
        for target in ("c", path):
            res = govern("scan", "pii", target, "--format", fmt, "--workers", "1")
            assert res.exit_code == 1
            outputs.append(res.output)
            if fmt == "json":
                assert len(json.loads(res.stdout)["findings"]) >= 5, "canaries must be found"
    res = govern("scan", "pii", "c", "--format", "sarif", "--out", tmp_path / "out.sarif")
    outputs += [res.output, (tmp_path / "out.sarif").read_text()]
    outputs.append(govern("baseline", "accept", "c", "--reason", "test", "--approver", "qa",
                          "--expires", "2099-01-01").output)
    outputs.append(govern("baseline", "list", "--json").output)
    outputs.append((tmp_path / "pii-baseline.json").read_text())
    for action in ("mask", "replace", "pseudonymize"):
        outputs.append(govern("redact", "c", "--action", action).output)
    outputs.append(caplog.text)
    outputs += [p.read_text(errors="replace") for p in (govern.store / "logs").rglob("*") if p.is_file()]
    outputs += _stored_results_and_ledger(govern.store)
    for text in outputs:
        for canary in CANARIES:
            assert canary not in text


def _stored_results_and_ledger(store_path) -> list[str]:
    from govern.store import open_store
    store = open_store(store_path)
    texts = []
    for r in store.list_results("pii"):
        payload = store.get_json(r["digest"])
        texts += [json.dumps(payload), store.objects.get_bytes(payload["findings_object"]).decode()]
    db = sqlite3.connect(store_path / "catalog.sqlite")
    texts += [row[0] for row in db.execute("SELECT entry FROM ledger")]
    texts += [row[0] for row in db.execute("SELECT value FROM cache")]
    db.close()
    return texts
