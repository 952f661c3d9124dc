"""`govern gate`: checks over results for exactly this snapshot, missing/stale, --run, ledger."""
from __future__ import annotations

import json

import pytest

from govern.errors import IntegrityError, PolicyViolation
from govern.gate.attestation import require_valid
from govern.snapshot import resolve


def gate_json(govern, *args):
    res = govern("gate", *args, "--format", "json")
    return res, json.loads(res.stdout)


def by_name(out):
    return {c["name"]: c for c in out["checks"]}


def test_missing_results_are_named_with_the_command_to_run(govern, data):
    data.require("validation", "min_records")
    data.snapshot("clean", data.rows())
    res, out = gate_json(govern, "clean")
    assert res.exit_code == 1 and out["decision"] == "fail"
    check = by_name(out)["validation"]
    assert check["status"] == "missing" and check["how_to_run"] == "govern validate clean"
    assert by_name(out)["min_records"]["status"] == "pass"
    assert "validation missing" in res.stderr and "govern validate clean" in res.stderr


def test_gate_run_fills_in_missing_checks_and_passes(govern, data):
    data.require("validation", "min_records", "duplicates", "leakage")
    data.snapshot("clean", data.rows())
    res, out = gate_json(govern, "clean", "--run")
    assert res.exit_code == 0, res.output
    checks = by_name(out)
    assert [checks[n]["status"] for n in ("validation", "min_records", "duplicates", "leakage")] \
        == ["pass", "pass", "pass", "n/a"]
    assert out["results"] == [{"kind": "validation", "config": out["results"][0]["config"],
                               "digest": checks["validation"]["result"]}]
    again, out2 = gate_json(govern, "clean")  # now stored: no --run needed
    assert again.exit_code == 0 and by_name(out2)["validation"]["result"] == checks["validation"]["result"]


def test_failing_limits_fail_with_reasons(govern, data):
    data.require("min_records", "duplicates")
    data.edit_policy("min_records = 1", "min_records = 50")
    rows = data.rows(10) + [dict(r, id=f"D{i}") for i, r in enumerate(data.rows(5))]
    data.snapshot("small", rows)
    res, out = gate_json(govern, "small")
    assert res.exit_code == 1
    checks = by_name(out)
    assert checks["min_records"]["status"] == "fail" and "15 records (minimum 50)" in checks["min_records"]["reason"]
    assert checks["duplicates"]["status"] == "fail" and "5 duplicate" in checks["duplicates"]["reason"]


def test_result_of_the_parent_does_not_count_for_the_child(govern, data):
    data.require("validation")
    data.snapshot("parent", data.rows())
    assert govern("validate", "parent").exit_code == 0
    data.snapshot("child", data.rows(15), parent="parent")
    res, out = gate_json(govern, "child")
    check = by_name(out)["validation"]
    assert res.exit_code == 1 and check["status"] == "missing"
    assert "only its parent has one" in check["reason"]


def test_changed_suite_makes_the_stored_validation_stale(govern, data):
    from govern.validate.run import default_suites
    data.require("validation")
    data.snapshot("clean", data.rows())
    assert govern("validate", "clean").exit_code == 0
    suite = json.loads(default_suites("classification")[0].read_text())
    suite["expectations"][0]["kwargs"]["min_value"] = 2
    (govern.tmp_path / "mine.json").write_text(json.dumps(suite))
    data.edit_policy("suites = []", 'suites = ["mine.json"]')
    res, out = gate_json(govern, "clean")
    assert res.exit_code == 1 and by_name(out)["validation"]["status"] == "stale"
    assert "govern validate clean" in by_name(out)["validation"]["reason"]
    res, out = gate_json(govern, "clean", "--run")
    assert res.exit_code == 0 and by_name(out)["validation"]["status"] == "pass"


def test_unconfigured_inputs_can_be_made_required(govern, data):
    data.require("leakage", "min_records")
    data.edit_policy('missing_inputs = "not-applicable"', 'missing_inputs = "fail"')
    data.snapshot("clean", data.rows())
    res, out = gate_json(govern, "clean")
    assert res.exit_code == 1
    assert by_name(out)["leakage"]["status"] == "fail"
    assert "golden" in by_name(out)["leakage"]["reason"]


def test_require_valid_for_training(govern, data):
    data.require("validation", "min_records")
    data.snapshot("clean", data.rows())
    store, snap = data.store(), None
    snap = resolve(store, "clean")
    with pytest.raises(PolicyViolation, match="no gate attestation"):
        require_valid(store, snap, data.policy())
    assert govern("gate", "clean").exit_code == 1  # validation missing: a failed attestation
    with pytest.raises(PolicyViolation, match="validation"):
        require_valid(store, snap, data.policy())
    assert govern("gate", "clean", "--run").exit_code == 0
    ok = require_valid(store, snap, data.policy())
    assert ok["statement"]["subject"][0]["digest"]["sha256"] == snap.id
    assert store.objects.exists(ok["digest"])
    data.edit_policy("min_records = 1", "min_records = 2")  # another policy digest
    with pytest.raises(PolicyViolation, match="stale"):
        require_valid(store, snap, data.policy())


def test_require_valid_rehashes_every_result_named(govern, data):
    import os
    data.require("validation")
    data.snapshot("clean", data.rows())
    assert govern("gate", "clean", "--run").exit_code == 0
    store = data.store()
    snap = resolve(store, "clean")
    used = require_valid(store, snap, data.policy())["statement"]["predicate"]["inputAttestations"]
    path = store.objects.path(used[0]["digest"]["sha256"])
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes().replace(b'"success":true', b'"success":false'))
    with pytest.raises(IntegrityError):
        require_valid(store, snap, data.policy())
    assert govern("attest", "verify", "clean").exit_code == 3


def test_every_gate_run_and_attestation_is_in_the_ledger(govern, data):
    data.require("min_records")
    data.snapshot("clean", data.rows())
    assert govern("gate", "clean").exit_code == 0
    assert govern("gate", "clean").exit_code == 0
    from govern.store.ledger import entries
    log = entries(data.store().db)
    gates = [e for e in log if e["command"] == "gate"]
    attests = [e for e in log if e["command"] == "gate attest"]
    assert len(gates) == 2 and len(attests) == 2
    assert gates[-1]["outputs"]["decision"] == "pass"
    assert gates[-1]["outputs"]["attestation"] == attests[-1]["outputs"]["attestation"]


def test_pii_scan_under_an_older_scanner_config_is_stale(govern, data):
    data.require("pii", "secrets")
    data.snapshot("clean", data.rows())
    assert govern("scan", "pii", "clean").exit_code == 0
    res, out = gate_json(govern, "clean")
    assert res.exit_code == 0 and by_name(out)["pii"]["status"] == "pass"
    data.edit_policy("min_score = 0.5", "min_score = 0.6")
    res, out = gate_json(govern, "clean")
    assert res.exit_code == 1
    assert [by_name(out)[n]["status"] for n in ("pii", "secrets")] == ["stale", "stale"]
    assert "govern scan pii clean" in by_name(out)["pii"]["reason"]
