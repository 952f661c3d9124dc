"""`--format junit|sarif|github|markdown` for `scan pii`, `scan leakage`, `validate`, `gate` and
`compare`: each function takes the result a command already holds and returns the text.

All built from the same stored result the command's own formats use: masked findings with
file and line, per-suite statistics, gate checks, regression verdicts.
"""
from __future__ import annotations

import json

from govern.report.ci import (Case, annotation, github_cases, github_findings, junit, markdown,
                              sarif_cases, sarif_text)

LEVELS = {"block": "error", "redact": "warning", "allow": "note"}
GH_LEVELS = {"block": "error", "redact": "warning", "allow": "notice"}
FINDING_COLUMNS = ["file:line", "field", "type", "mask", "action"]
LEAKAGE_RULES = {"exact": "golden item copied (normalized exact match)",
                 "ngram13": "golden item's 13-grams found", "ngram8": "golden item's 8-grams found",
                 "substring": "golden item's sampled substrings found",
                 "minhash": "golden item near-duplicated (MinHash containment)",
                 "semantic": "golden item rephrased (verified embedding match)"}


def _finding_rows(findings) -> list[list]:
    return [[f"{f.file}:{f.line}", f.field, f.type, f.mask or f.golden or "", f.action or ""]
            for f in findings]


def _finding_cases(findings, group: str, blocking) -> list[Case]:
    """One case per finding type: failing when any finding of the type blocks."""
    by_type: dict[str, list] = {}
    for f in findings:
        by_type.setdefault(f.type, []).append(f)
    cases = []
    for ty, fs in sorted(by_type.items()):
        bad = [f for f in fs if blocking(f)]
        detail = "\n".join(f"{f.file}:{f.line} {f.field} {f.mask or f.golden or ''}" for f in fs[:200])
        cases.append(Case(ty, "fail" if bad else "pass",
                          f"{len(fs)} finding(s), {len(bad)} blocking", detail, group))
    return cases


def pii(scan, fmt: str) -> str:
    s = scan.summary
    blocking = (lambda f: f.action == "block" and f.extra.get("baseline") != "accepted")
    cases = _finding_cases(scan.findings, "govern.scan.pii", blocking)
    cases.insert(0, Case("records scanned", "error" if s["failed"] else "pass",
                         f"{s['scanned']} scanned + {s['failed']} failed = {s['total']}"))
    facts = [f"{s['findings']} finding(s); blocking {s['blocking']['pii']} PII, "
             f"{s['blocking']['secrets']} secret(s)",
             f"baseline: {s['baseline']['accepted']} accepted, {s['baseline']['expired']} expired"]
    return _emit(fmt, "govern scan pii", s["status"], cases, facts, scan.findings,
                 {"result": scan.digest, "status": s["status"]},
                 {f.type: f"{f.type.replace('_', ' ').lower()} found in training data"
                  for f in scan.findings})


def leakage(scan, fmt: str, label: str = "") -> str:
    s = scan.summary
    cases = [Case(f"golden item {a['golden']} ({a['golden_set']})", "fail",
                  f"found in {a['hits']} training record(s)", "", "govern.scan.leakage")
             for a in s["attribution"]]
    cases.insert(0, Case("leaked records", s["status"] if s["status"] in ("pass", "fail") else "fail",
                         f"{s['leaked_records']} record(s), limit {s['max_leaked_records']}"))
    cases += [Case(f"self-test {m}", "pass", f"recall {v['recall']} ({v['caught']}/{v['planted']})",
                   "", "govern.scan.leakage.self_test") for m, v in sorted(s["self_test"].items())]
    facts = [f"{s['compared']} of {s['total']} records compared against "
             + ", ".join(g["name"] for g in s["golden"])]
    return _emit(fmt, "govern scan leakage", s["status"], cases, facts, scan.findings,
                 {"result": scan.digest, "status": s["status"]}, LEAKAGE_RULES, label)


def validation(run, fmt: str) -> str:
    p = run.payload
    cases = []
    for suite in p["suites"]:
        for f in suite["failed"]:
            what = f["expectation"] + (f"({f['column']})" if f.get("column") else "")
            n = f.get("unexpected_count")
            cases.append(Case(what, "fail", f"{n} unexpected" if n is not None else "failed",
                              json.dumps(f, sort_keys=True, ensure_ascii=False), f"govern.validate.{suite['name']}"))
        st = suite["statistics"]
        cases.append(Case(f"suite {suite['name']}", "pass" if suite["success"] else "fail",
                          f"{st['successful_expectations']}/{st['evaluated_expectations']} "
                          "expectations met", "", f"govern.validate.{suite['name']}"))
    status = "pass" if run.success else "fail"
    return _emit(fmt, "govern validate", status, cases, [f"{p['records']} records, layout {p['layout']}"],
                 [], {"result": run.digest, "status": status}, {})


def gate(decision: dict, fmt: str) -> str:
    status = {"pass": "pass", "n/a": "skip"}
    cases = [Case(c["name"], status.get(c["status"], "fail"), c["reason"], c.get("how_to_run") or "",
                  "govern.gate") for c in decision["checks"]]
    return _emit(fmt, "govern gate", decision["decision"], cases,
                 [f"attestation {decision.get('attestation')}", f"policy {decision['policy'][:16]}"],
                 [], {"attestation": decision.get("attestation"), "decision": decision["decision"]},
                 {})


def regression(report: dict, fmt: str) -> str:
    cases = []
    for s in report["suites"]:
        msg = s["verdict"] if s["delta"] is None else \
            f"{s['verdict']}: delta {s['delta']:+.4f} CI [{s['ci'][0]:+.4f}, {s['ci'][1]:+.4f}]"
        cases.append(Case(f"{s['suite']['name']} ({s['suite']['metric']})",
                          "pass" if s["passed"] else "fail", msg, s["reason"],
                          f"govern.eval.{s['suite']['role']}"))
    status = "pass" if report["passed"] else "fail"
    return _emit(fmt, "govern compare", status, cases, [], [], {"passed": report["passed"]},
                 {})


def _emit(fmt, title, status, cases, facts, findings, props, rules, label=None) -> str:
    if fmt == "junit":
        return junit(title, cases, props)
    if fmt == "sarif":
        if not findings and not rules:
            return sarif_cases(cases, title.replace(" ", "-"))
        return sarif_text(findings, title.replace(" ", "-"), rules, LEVELS, label)
    if fmt == "github":
        level = "notice" if status == "pass" else "error"
        lines = github_findings(findings, title, GH_LEVELS) if findings else \
            github_cases([c for c in cases if c.status in ("fail", "error")], title)
        lines.append(annotation(level, f"{title}: {status}" + (f" ({facts[0]})" if facts else ""),
                                title))
        return "\n".join(lines) + "\n"
    if fmt == "markdown":
        return markdown(title, status, cases, facts, _finding_rows(findings), FINDING_COLUMNS)
    raise ValueError(fmt)
