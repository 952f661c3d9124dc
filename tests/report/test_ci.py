"""CI outputs built from stored results: SARIF valid against the OASIS 2.1.0 schema and located at
the data file and line, JUnit XML, GitHub annotations, a step-summary Markdown; no raw values."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from govern.report import ci, ci_formats
from tests.report.canaries import assert_no_canary


@pytest.fixture(scope="module")
def results(chain):
    from govern.leakage.golden import open_goldens
    from govern.leakage.scan import scan_target as leakage_scan
    from govern.pii.scan import scan_target as pii_scan
    from govern.snapshot.target import open_target
    store, policy = chain.store(), chain.policy()
    tgt = open_target(store, ["tickets"])
    pii = pii_scan(store, tgt, policy, workers=1)
    leak = leakage_scan(store, tgt, open_goldens(store, ["support-golden"]), policy, workers=1)
    assert pii.reused and leak.reused
    return pii, leak


def test_bundled_sarif_schema_is_the_2_1_0_schema():
    schema = ci.sarif_schema()
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert ci.validate_sarif({"version": "2.0.0", "runs": []})  # a wrong version is caught
    assert ci.validate_sarif({"version": "2.1.0", "runs": [{"tool": {}}]})  # driver missing


@pytest.mark.parametrize("kind", ["pii", "leakage"])
def test_sarif_validates_and_points_at_file_and_line(results, chain, kind):
    scan = results[0] if kind == "pii" else results[1]
    text = ci_formats.pii(scan, "sarif") if kind == "pii" else ci_formats.leakage(scan, "sarif")
    doc = json.loads(text)
    assert ci.validate_sarif(doc) == []
    res = doc["runs"][0]["results"]
    assert len(res) == len(scan.findings) > 0
    loc = res[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("tickets.jsonl")
    lines = (chain.root / "tickets.jsonl").read_text().splitlines()
    if kind == "pii":
        email = next(r for r in res if r["ruleId"] == "EMAIL_ADDRESS")
        line = email["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert "@" in lines[line - 1]
        assert {r["level"] for r in res} <= {"error", "warning", "note"}
    assert_no_canary(text, f"{kind} SARIF")


def test_junit_counts_failures(results):
    pii, _ = results
    xml = ci_formats.pii(pii, "junit")
    root = ET.fromstring(xml)
    cases = root.findall(".//testcase")
    names = {c.get("name") for c in cases}
    assert {"records scanned", "EMAIL_ADDRESS", "SECRET_AWS_ACCESS_KEY"} <= names
    failing = {c.get("name") for c in cases if c.find("failure") is not None}
    assert "SECRET_AWS_ACCESS_KEY" in failing and "LOCATION" not in failing
    assert int(root.find("testsuite").get("failures")) == len(failing)
    assert_no_canary(xml, "JUnit")


def test_github_annotations_and_markdown(results):
    pii, leak = results
    gh = ci_formats.pii(pii, "github")
    first = gh.splitlines()[0]
    assert first.startswith("::") and "file=" in first and ",line=" in first
    assert gh.rstrip().splitlines()[-1].startswith("::error title=govern scan pii::")
    md = ci_formats.leakage(leak, "markdown")
    assert md.startswith("### ❌ govern scan leakage: **FAIL**")
    assert "self-test exact" in md
    for text in (gh, md, ci_formats.pii(pii, "markdown")):
        assert_no_canary(text, "CI text")


def test_annotation_escapes_properties_and_data():
    line = ci.annotation("error", "50% done\nnext", "a:b,c", "dir/a,b.jsonl", 3)
    assert line == "::error file=dir/a%2Cb.jsonl,line=3,title=a%3Ab%2Cc::50%25 done%0Anext"
    assert ci.annotation("notice", "ok") == "::notice::ok"


def test_gate_and_validation_outputs(chain):
    from govern.validate.run import validate_target
    from govern.snapshot.target import open_target
    store, policy = chain.store(), chain.policy()
    decision = {"snapshot": "s" * 64, "label": "tickets", "policy": "p" * 64, "decision": "fail",
                "attestation": "a" * 64, "results": [],
                "checks": [{"name": "pii", "status": "fail", "reason": "2 blocking", "result": None,
                            "how_to_run": "govern scan pii tickets"},
                           {"name": "leakage", "status": "n/a", "reason": "no golden sets",
                            "result": None, "how_to_run": ""}]}
    root = ET.fromstring(ci_formats.gate(decision, "junit"))
    assert root.find(".//testcase[@name='pii']/failure") is not None
    assert root.find(".//testcase[@name='leakage']/skipped") is not None
    doc = json.loads(ci_formats.gate(decision, "sarif"))
    assert ci.validate_sarif(doc) == []
    assert [(r["level"], r["message"]["text"]) for r in doc["runs"][0]["results"]] == \
        [("error", "pii: 2 blocking"), ("note", "leakage: no golden sets")]
    run = validate_target(store, open_target(store, ["tickets"]), None, policy)
    xml = ci_formats.validation(run, "junit")
    assert ET.fromstring(xml).find(".//testcase") is not None
    assert "PASS" in ci_formats.validation(run, "markdown")
