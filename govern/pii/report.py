"""Rendering a PII scan: the counts table, JSON, JSONL and SARIF, all from masked findings."""
from __future__ import annotations

import io
import json
from collections import defaultdict

from govern.findings import sarif, write_jsonl
from govern.pii.summary import field_group

EXAMPLES = 3


def type_rows(scan) -> list[list]:
    """One row per entity type: count, blocking, fields, roles, masked examples at file:line."""
    groups = defaultdict(list)
    for f in scan.findings:
        groups[f.type].append(f)
    rows = []
    for ty in sorted(groups, key=lambda t: (-len(groups[t]), t)):
        fs = groups[ty]
        blocking = sum(f.action == "block" and f.extra.get("baseline") != "accepted" for f in fs)
        examples = [f"{f.mask} @ {f.file}:{f.line}" for f in fs[:EXAMPLES]]
        rows.append([ty, len(fs), blocking, ", ".join(sorted({field_group(f.field) for f in fs})),
                     ", ".join(sorted({f.role for f in fs if f.role})) or "-",
                     "; ".join(examples)])
    return rows


def _level(f) -> str:
    if f.action == "block" and f.extra.get("baseline") != "accepted":
        return "error"
    return "warning" if f.action == "redact" else "note"


def summary_line(summary: dict) -> str:
    b = summary["blocking"]
    return (f"{summary['status'].upper()}: {summary['findings']} finding(s), blocking "
            f"{b['pii']} PII + {b['secrets']} secret(s); scanned {summary['scanned']} + failed "
            f"{summary['failed']} = {summary['total']} records; baseline accepted "
            f"{summary['baseline']['accepted']}, expired {summary['baseline']['expired']}")


def render(scan, fmt: str) -> str:
    if fmt == "table":
        head = "type\tcount\tblocking\tfields\troles\texamples (masked)\n"
        return head + "".join("\t".join(map(str, r)) + "\n" for r in type_rows(scan)) + \
            summary_line(scan.summary) + "\n"
    if fmt == "jsonl":
        out = io.StringIO()
        write_jsonl(scan.findings, out)
        return out.getvalue()
    if fmt == "json":
        doc = {"summary": scan.summary, "digest": scan.digest,
               "findings": [f.to_dict() for f in scan.findings]}
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        rules = {f.type: f"{f.type.replace('_', ' ').lower()} found in training data"
                 for f in scan.findings}
        doc = sarif([f for f in scan.findings if _level(f) == "error"], "govern-pii", rules)
        for level in ("warning", "note"):  # redact -> warning, allow or accepted -> note
            more = sarif([f for f in scan.findings if _level(f) == level], "govern-pii", {},
                         level=level)
            doc["runs"][0]["results"] += more["runs"][0]["results"]
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    raise ValueError(fmt)
