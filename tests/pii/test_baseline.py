"""Accepted-findings baseline: new = current - baseline; expired entries fail again."""
from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings, strategies as st

from govern.findings import Finding
from govern.pii.baseline import Baseline, accept, load_baseline, save_baseline
from tests.pii.conftest import write_jsonl


def test_accepted_findings_pass_until_they_expire(govern, tickets):
    assert govern("scan", "pii", tickets, "--workers", "1").exit_code == 1
    res = govern("baseline", "accept", tickets, "--reason", "synthetic test data",
                 "--approver", "dpo@example.org", "--expires", "2099-12-31")
    assert res.exit_code == 0, res.output
    assert govern("scan", "pii", tickets, "--workers", "1").exit_code == 0
    path = govern.tmp_path / "pii-baseline.json"
    doc = json.loads(path.read_text())
    fps = [e["fingerprint"] for e in doc["entries"]]
    assert doc["format"] == 1 and fps == sorted(fps) and len(fps) >= 6
    assert path.read_text() == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    for e in doc["entries"]:
        e["expires"] = "2000-01-01"
    path.write_text(json.dumps(doc))
    res = govern("scan", "pii", tickets, "--format", "json", "--workers", "1")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"]["baseline"]["expired"] == len(fps)


def test_new_findings_fail_even_with_a_baseline(govern, tmp_path):
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "mail jane.doe@example.org"}])
    govern("baseline", "accept", path, "--reason", "r", "--approver", "a", "--expires", "2099-01-01")
    write_jsonl(path, [{"text": "mail jane.doe@example.org"}, {"text": "key AKIAZ7QX4MRT2LBN5KWE"}])
    res = govern("scan", "pii", path, "--format", "json", "--workers", "1")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"]["blocking"] == {"pii": 0, "secrets": 1}


def test_allow_comments_in_the_data_are_not_honoured(govern, tmp_path):
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "AKIAZ7QX4MRT2LBN5KWE  # pragma: allowlist secret"},
                       {"text": "jane.doe@example.org <!-- govern:ignore -->"}])
    res = govern("scan", "pii", path, "--format", "json", "--workers", "1")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"]["findings"] == 2


def test_accept_needs_a_future_date(govern, tickets):
    res = govern("baseline", "accept", tickets, "--reason", "r", "--approver", "a",
                 "--expires", "2001-01-01")
    assert res.exit_code == 2 and "in the past" in res.output


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.sampled_from(["PERSON", "SECRET_JWT"])),
                max_size=10),
       st.text(min_size=1, max_size=30), st.dates(dt.date(2030, 1, 1), dt.date(2100, 1, 1)))
def test_baseline_round_trip(tmp_path_factory, items, reason, expires):
    path = tmp_path_factory.mktemp("b") / "baseline.json"
    b = Baseline(path)
    findings = [Finding(row=0, line=1, field="text", type=t, detector="d", score=1.0,
                        fingerprint="hmac-sha256:" + v.encode().hex(), mask="*") for v, t in items]
    accept(b, findings, reason if reason.strip() else "r", "approver", expires.isoformat())
    save_baseline(b)
    again = load_baseline(path)
    assert again.entries == b.entries and again.digest == b.digest
    assert again.status(findings[0].fingerprint if findings else None, dt.date(2029, 1, 1)) == \
        ("accepted" if findings else None)
