"""`govern report compliance`: schema-valid JSON built from evidence, every mapping item backed,
no canary value in any format, a tampered attestation shown as broken, lineage of redactions."""
from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from tests.report.canaries import assert_no_canary


def test_report_validates_against_its_published_schema(report_json):
    from govern.report.compliance import report_schema
    jsonschema.Draft202012Validator.check_schema(report_schema())
    jsonschema.Draft202012Validator(report_schema()).validate(report_json)
    assert report_json["snapshot"]["name"] == "tickets"
    assert report_json["snapshot"]["records"] == 70


def test_schema_rejects_a_mapping_item_without_evidence_or_reason(report_json):
    from govern.report.compliance import report_schema
    bad = copy.deepcopy(report_json)
    bad["mapping"][0].update(status="evidenced", evidence=[], reason=None)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, report_schema())
    bad = copy.deepcopy(report_json)
    bad["mapping"][0].update(status="n/a", evidence=[], reason=None)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, report_schema())


def test_sections_come_from_the_stored_evidence(chain, report_json):
    r = report_json
    store = chain.store()
    assert r["pii"]["status"] == "fail" and r["pii"]["blocking"]["secrets"] == 1
    assert r["pii"]["by_type"]["EMAIL_ADDRESS"] == 1
    stored = store.get_json(r["pii"]["digest"])  # the report names the stored result it read
    assert stored["kind"] == "pii" and stored["snapshot"] == r["snapshot"]["id"]
    assert stored["by_type"] == r["pii"]["by_type"]
    assert r["leakage"]["status"] == "fail" and r["leakage"]["leaked_records"] >= 1
    assert set(r["leakage"]["self_test"]) >= {"exact", "ngram13"}
    assert r["validation"]["status"] == "pass"
    gate = r["gate"]
    assert gate["status"] == "fail"
    assert gate["attestations"] and all(a["verified"] for a in gate["attestations"])
    assert {c["name"] for c in gate["attestations"][-1]["checks"]} >= {"pii", "leakage"}
    src = r["data_card"]["sources"][0]
    assert src["sha256"] == __import__("hashlib").sha256(
        (chain.root / "tickets.jsonl").read_bytes()).hexdigest()
    assert r["data_card"]["labels"]["values"]
    child = [n for n in r["data_card"]["lineage"] if n["parent"] == r["snapshot"]["id"]]
    assert child and child[0]["operation"].startswith("redact")


def test_every_mapping_item_has_evidence_that_exists_or_a_reason(chain, report_json):
    store = chain.store()
    ids = {n["id"] for n in report_json["data_card"]["lineage"]}
    frameworks = {m["framework"] for m in report_json["mapping"]}
    assert frameworks == {"GDPR", "EU AI Act"}
    refs = {m["id"] for m in report_json["mapping"]}
    assert {"Art. 10(2)(f)", "Art. 10(5)", "Annex IV 2(d)", "Annex IV 2(g)", "Art. 9"} <= refs
    for m in report_json["mapping"]:
        if m["status"] == "evidenced":
            assert m["evidence"], m
            for e in m["evidence"]:
                assert store.objects.exists(e["digest"]) or e["digest"] in ids, e
        else:
            assert m["reason"] and len(m["reason"]) > 10, m
    md = chain.files["md"].read_text()
    assert "N/A — " in md


def test_no_canary_value_in_any_report_format(chain):
    for kind, path in chain.files.items():
        assert_no_canary(path.read_text(encoding="utf-8"), f"{kind} ({path.name})")
    html = chain.files["html"].read_text()
    assert "m***@e***.com" in html  # the mask is there instead of the value


def test_html_is_self_contained(chain):
    html = chain.files["html"].read_text()
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)\s*=", html)
    assert not re.search(r"url\((?!#)", html) and "@import" not in html
    assert html.count("<svg") >= 2  # findings by type, lineage
    assert 'id="findings-data"' in html


def test_tampered_attestation_is_shown_as_broken(store_copy):
    store = store_copy.store()
    from govern.snapshot import resolve
    snap = resolve(store, "tickets")
    row = store.list_results("attestation", snap.id)[-1]
    path = store.objects.path(row["digest"])
    env = json.loads(path.read_bytes())
    env["signatures"][0]["sig"] = env["signatures"][0]["sig"][::-1]
    path.write_bytes(json.dumps(env).encode())  # bytes no longer hash to their name either
    res = store_copy.run("report", "compliance", "tickets", "--out", "out", "--json")
    files = json.loads(res.output)["files"]
    report = json.loads((store_copy.root / files["json"]).read_text())
    assert report["gate"]["status"] == "broken"
    broken = report["gate"]["attestations"][-1]
    assert broken["verified"] is False and broken["error"]
    assert broken["decision"] is None and broken["checks"] == []
    assert "BROKEN" in (store_copy.root / files["html"]).read_text()
    assert "BROKEN" in (store_copy.root / files["md"]).read_text()


def test_attestation_signed_by_a_foreign_key_is_broken(store_copy):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from govern.digests import canonical_json
    from govern.gate import signing
    from govern.report.compliance import build_report
    from govern.snapshot import resolve
    store = store_copy.store()
    snap = resolve(store, "tickets")
    row = store.list_results("attestation", snap.id)[-1]
    statement = signing.open_envelope(store.get_json(row["digest"]), signing.trusted_keys(store))
    statement["predicate"]["decision"] = "pass"
    forged = signing.sign(canonical_json(statement).encode(), Ed25519PrivateKey.generate())
    store.put_result("attestation", snap.id, row["config"], forged)
    report = build_report(store, snap, store_copy.policy())
    assert report["gate"]["status"] == "broken"
    assert "unknown key" in report["gate"]["attestations"][-1]["error"]


def test_report_of_the_redacted_child_shows_its_lineage(chain):
    from govern.report.compliance import build_report
    from govern.snapshot import resolve
    store = chain.store()
    report = build_report(store, resolve(store, chain.child), chain.policy())
    lineage = report["data_card"]["lineage"]
    assert [n["current"] for n in lineage] == [False, True]
    assert lineage[1]["redaction"]["action"] == "replace" and lineage[1]["dropped"] == 0
    assert report["pii"]["status"] == "missing" and report["gate"]["status"] == "missing"
    gdpr = {m["id"]: m for m in report["mapping"] if m["framework"] == "GDPR"}
    assert any(e["artifact"] == "redacted snapshot" for e in gdpr["Art. 4(1), 25"]["evidence"])


def test_dataset_card_has_a_yaml_header(chain):
    import yaml
    text = chain.files["dataset_card"].read_text()
    assert text.startswith("---\n")
    header = yaml.safe_load(text.split("---\n")[1])
    assert header["size_categories"] == ["n<1K"]
    assert header["task_categories"] == ["text-classification"]
    assert header["govern"]["snapshot"] == chain.store().db.execute(
        "SELECT id FROM snapshots WHERE name='tickets'").fetchone()[0]


def test_html_stays_small_with_tens_of_thousands_of_findings(report_json):
    from govern.report.render import render_html
    big = copy.deepcopy(report_json)
    one = big["findings"]["pii"][0]
    big["findings"]["pii"] = [dict(one, row=i, line=i + 1) for i in range(30000)]
    html = render_html(big)
    assert html.count("<tr>") < 200  # rows are paged by the script, not pre-rendered
    assert len(html) < 12_000_000
    assert '"row": 29999' in html


def test_baseline_entries_with_reason_approver_and_expired_ones_highlighted(chain, report_json):
    import datetime as dt
    from govern.report.compliance import build_report
    from govern.report.render import render_html, render_markdown
    from govern.snapshot import resolve
    entries = report_json["pii"]["baseline"]["entries"]
    assert {e["type"] for e in entries} == {"LOCATION", "PERSON"}
    assert all(e["approver"] == "DPO" and e["reason"] and not e["expired"] for e in entries)
    accepted = [f for f in report_json["findings"]["pii"] if f.get("baseline") == "accepted"]
    assert {f["type"] for f in accepted} == {"LOCATION", "PERSON"}
    store = chain.store()
    later = build_report(store, resolve(store, "tickets"), chain.policy(),
                         today=dt.date.today() + dt.timedelta(days=3))
    expired = [e for e in later["pii"]["baseline"]["entries"] if e["expired"]]
    assert [e["type"] for e in expired] == ["PERSON"]
    assert '<tr class="expired">' in render_html(later)
    assert "**EXPIRED**" in render_markdown(later)
