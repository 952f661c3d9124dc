"""Gate output formats: JUnit XML (one test case per check), GitHub annotations, Markdown."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest



@pytest.fixture
def failing(govern, data):
    """A snapshot with one failing (min_records), one missing (validation), one n/a check."""
    data.require("min_records", "validation", "leakage")
    data.edit_policy("min_records = 1", "min_records = 100")
    data.snapshot("small", data.rows())
    return govern


def test_junit_has_one_test_case_per_check(failing):
    out = failing.tmp_path / "gate.xml"
    res = failing("gate", "small", "--format", "junit", "--output", out)
    assert res.exit_code == 1
    root = ET.fromstring(out.read_text())
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["leakage", "validation", "min_records"]
    assert suite.get("tests") == "3" and suite.get("failures") == "2" and suite.get("skipped") == "1"
    assert cases["min_records"].find("failure").get("type") == "fail"
    assert cases["validation"].find("failure").get("type") == "missing"
    assert "govern validate small" in cases["validation"].find("failure").text
    assert cases["leakage"].find("skipped") is not None
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["decision"] == "fail" and len(props["attestation"]) == 64


def test_github_annotations_mark_failing_checks_as_errors(failing):
    res = failing("gate", "small", "--format", "github")
    assert res.exit_code == 1
    lines = res.stdout.strip().splitlines()
    errors = [l for l in lines if l.startswith("::error title=govern gate ")]
    assert any("min_records (fail)::16 records (minimum 100)" in l for l in errors)
    assert any("validation (missing)" in l and "Run: govern validate small" in l for l in errors)
    assert any(l.startswith("::notice title=govern gate leakage (n/a)") for l in lines)


def test_markdown_table_lists_every_check(failing):
    res = failing("gate", "small", "--format", "markdown")
    assert res.exit_code == 1
    rows = [l for l in res.stdout.splitlines() if l.startswith("| ") and "---" not in l][1:]
    assert [r.split("|")[1].strip() for r in rows] == ["leakage", "validation", "min_records"]
    assert "**FAIL**" in res.stdout


def test_table_is_the_default_and_names_the_attestation(failing, data):
    data.edit_policy("min_records = 100", "min_records = 1")
    assert failing("validate", "small").exit_code == 0
    res = failing("gate", "small")
    assert res.exit_code == 0, res.output
    assert "PASS" in res.stdout and "([leakage]" in res.stdout  # rich markup escaped
    assert "attestation " in res.stdout
