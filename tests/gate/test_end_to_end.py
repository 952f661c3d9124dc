"""The demo chain on real scanners: a dirty snapshot fails the gate; its redacted and
decontaminated child passes and gets a valid attestation that training accepts."""
from __future__ import annotations

import json

from govern.gate.attestation import require_valid
from govern.snapshot import resolve

GOLDEN_TEXT = "the quarterly invoice shows a duplicate charge for the premium support plan"
PLANTED = [
    {"id": "P1", "text": "Please refund me, my email is maria.lopez@example.com thanks",
     "label": "billing"},
    {"id": "P2", "text": "deploy fails with token ghp_4f8Kx2LmQ9rTz7VbN1cWd3YhJ6sPa0Ue5GiR",
     "label": "technical"},
    {"id": "P3", "text": GOLDEN_TEXT, "label": "billing"},
]


def last_line(res):
    assert res.exit_code == 0, res.output
    return res.stdout.strip().splitlines()[-1]


def checks(res):
    return {c["name"]: c for c in json.loads(res.stdout)["checks"]}


def test_dirty_snapshot_fails_and_its_cleaned_child_passes(govern, data):
    golden = govern.tmp_path / "golden.jsonl"
    golden.write_text(json.dumps({"id": "G1", "text": GOLDEN_TEXT, "label": "billing"}) + "\n")
    assert govern("golden", "add", golden, "--name", "support-golden").exit_code == 0
    data.edit_policy("golden = []", 'golden = ["support-golden"]')
    data.edit_policy('methods = ["exact", "ngram13", "ngram8", "substring", "minhash", "semantic"]',
                     'methods = ["exact", "ngram13"]')
    data.snapshot("dirty", data.rows(16, PLANTED))

    res = govern("gate", "dirty", "--run", "--format", "json")
    assert res.exit_code == 1
    found = checks(res)
    assert {n for n, c in found.items() if c["status"] == "fail"} == {"pii", "secrets", "leakage"}
    assert found["validation"]["status"] == "pass" and found["min_records"]["status"] == "pass"
    assert "maria.lopez" not in res.output and "ghp_4f8K" not in res.output
    assert govern("attest", "verify", "dirty").exit_code == 0  # a failing decision is attested too

    redacted = last_line(govern("redact", "dirty"))
    clean = last_line(govern("golden", "decontaminate", redacted, "--golden", "support-golden",
                             "--name", "clean"))
    res = govern("gate", clean, "--run", "--format", "json")
    assert res.exit_code == 0, res.output
    assert {c["status"] for c in checks(res).values()} == {"pass"}
    assert govern("attest", "verify", "clean").exit_code == 0
    store = data.store()
    ok = require_valid(store, resolve(store, "clean"), data.policy())
    kinds = {i["uri"] for i in ok["statement"]["predicate"]["inputAttestations"]}
    assert kinds == {"govern:result:pii", "govern:result:leakage", "govern:result:validation"}
