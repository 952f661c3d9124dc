"""CI writers shared by every command: JUnit XML (junitparser), SARIF 2.1.0 (govern.findings.sarif,
validated against the bundled OASIS schema), GitHub workflow annotations and a Markdown
summary for $GITHUB_STEP_SUMMARY.

Inputs are generic: a list of cases (name, status, message, detail) or masked findings; the
per-result adapters live in ci_formats.py. Nothing here sees a raw matched value.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

CI_FORMATS = ("junit", "sarif", "github", "markdown")
ICON = {"pass": "✅", "fail": "❌", "error": "⚠️", "skip": "➖"}


@dataclass
class Case:
    """One JUnit test case / one summary row: status is pass, fail, error or skip."""
    name: str
    status: str
    message: str = ""
    detail: str = ""
    group: str = "govern"


def junit(suite: str, cases: list[Case], properties: dict | None = None) -> str:
    from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite
    ts = TestSuite(suite)
    for key, value in sorted((properties or {}).items()):
        ts.add_property(key, "" if value is None else str(value))
    for c in cases:
        tc = TestCase(c.name, classname=c.group)
        if c.status in ("fail", "error", "skip"):
            kind = {"fail": Failure, "error": Error, "skip": Skipped}[c.status]
            result = kind(c.message, c.status)
            result.text = c.detail or c.message
            tc.result = [result]
        elif c.detail:
            tc.system_out = c.detail
        ts.add_testcase(tc)
    xml = JUnitXml(suite)
    xml.add_testsuite(ts)
    xml.update_statistics()
    return '<?xml version="1.0" encoding="utf-8"?>\n' + xml.tostring().decode("utf-8") + "\n"


def sarif_schema() -> dict:
    return json.loads((resources.files("govern.report") / "schema" / "sarif-2.1.0.json")
                      .read_text(encoding="utf-8"))


def validate_sarif(doc: dict) -> list[str]:
    """Problems found by validating a SARIF log against the OASIS 2.1.0 schema (empty: valid)."""
    import jsonschema
    validator = jsonschema.Draft4Validator(sarif_schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or 'log'}: {e.message}"
            for e in validator.iter_errors(doc)]


def sarif_text(findings, tool: str, rules: dict[str, str], levels: dict[str, str] | None = None,
               default_uri: str | None = None) -> str:
    """SARIF for findings; a finding's level comes from levels[finding.action] (default error)."""
    from govern.findings import sarif
    findings = list(findings)
    doc = sarif(findings, tool, rules, default_uri=default_uri)
    for result, f in zip(doc["runs"][0]["results"], findings):
        result["level"] = (levels or {}).get(f.action or "", "error")
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sarif_cases(cases: list[Case], tool: str) -> str:
    """SARIF for results without a data location (gate checks, suites): one result per case
    that did not pass, its rule the case's group."""
    from govern.findings import sarif
    doc = sarif([], tool, {c.group: c.group for c in cases})
    level = {"fail": "error", "error": "error", "skip": "note"}
    doc["runs"][0]["results"] = [
        {"ruleId": c.group, "level": level[c.status], "message": {"text": f"{c.name}: {c.message}"},
         "properties": {"status": c.status}} for c in cases if c.status != "pass"]
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def escape_data(text: str) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, title: str = "", file: str | None = None,
               line: int | None = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={int(line)}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def github_findings(findings, title: str, levels: dict[str, str] | None = None) -> list[str]:
    out = []
    for f in findings:
        level = (levels or {}).get(f.action or "", "error")
        out.append(annotation(level, f.describe(), title, f.file, f.line))
    return out


def github_cases(cases: list[Case], title: str) -> list[str]:
    level = {"pass": "notice", "skip": "notice", "fail": "error", "error": "error"}
    return [annotation(level[c.status], f"{c.name}: {c.status} — {c.message}", title)
            for c in cases]


def markdown(title: str, status: str, cases: list[Case], facts: list[str] | None = None,
             rows: list[list] | None = None, columns: list[str] | None = None,
             limit: int = 50) -> str:
    """A $GITHUB_STEP_SUMMARY section: headline, one row per case, then masked examples."""
    def cell(v) -> str:
        return str("" if v is None else v).replace("|", "\\|").replace("\n", " ")
    lines = [f"### {ICON.get(status, '')} {title}: **{status.upper()}**", ""]
    lines += [f"- {f}" for f in facts or []]
    if cases:
        lines += ["", "| check | status | detail |", "|---|---|---|"]
        lines += [f"| {cell(c.name)} | {ICON.get(c.status, '')} {c.status} | {cell(c.message)} |"
                  for c in cases]
    if rows and columns:
        lines += ["", f"<details><summary>{min(len(rows), limit)} of {len(rows)} finding(s), "
                      "masked</summary>", "", "| " + " | ".join(columns) + " |",
                  "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows[:limit]]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
