"""Gate decisions as CI and people read them: JUnit XML, GitHub annotations, Markdown.

All formats come from the same GateDecision.to_dict(); reasons hold counts and masks only.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

SYMBOL = {"pass": "✅", "fail": "❌", "missing": "⚠️", "stale": "⚠️", "n/a": "➖"}


def junit(decision: dict) -> str:
    """One test suite, one test case per check; missing/stale count as failures, n/a skipped."""
    checks = decision["checks"]
    bad = [c for c in checks if c["status"] not in ("pass", "n/a")]
    suite = ET.Element("testsuite", name=f"govern gate {decision['label'] or decision['snapshot']}",
                       tests=str(len(checks)), failures=str(len(bad)), errors="0",
                       skipped=str(sum(c["status"] == "n/a" for c in checks)))
    props = ET.SubElement(suite, "properties")
    for key in ("snapshot", "policy", "decision", "attestation"):
        ET.SubElement(props, "property", name=key, value=str(decision.get(key) or ""))
    for c in checks:
        case = ET.SubElement(suite, "testcase", classname="govern.gate", name=c["name"])
        if c["status"] == "n/a":
            ET.SubElement(case, "skipped", message=c["reason"])
        elif c["status"] != "pass":
            fail = ET.SubElement(case, "failure", type=c["status"], message=c["reason"])
            fail.text = f"{c['reason']}\nhow to run: {c['how_to_run']}" if c["how_to_run"] \
                else c["reason"]
        else:
            ET.SubElement(case, "system-out").text = c["reason"]
    root = ET.Element("testsuites", name="govern gate")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _escape(text: str) -> str:
    """GitHub workflow-command escaping for message data."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github(decision: dict) -> str:
    """::error for failing checks, ::notice for the rest, and a summary line."""
    out = []
    for c in decision["checks"]:
        level = "notice" if c["status"] in ("pass", "n/a") else "error"
        how = f" Run: {c['how_to_run']}" if level == "error" and c["how_to_run"] else ""
        out.append(f"::{level} title=govern gate {c['name']} ({c['status']})::"
                   f"{_escape(c['reason'] + how)}")
    level = "notice" if decision["decision"] == "pass" else "error"
    out.append(f"::{level} title=govern gate::{decision['decision']} for "
               f"{_escape(decision['label'] or decision['snapshot'])}")
    return "\n".join(out)


def markdown(decision: dict) -> str:
    lines = [f"### govern gate: **{decision['decision'].upper()}** for "
             f"`{decision['label'] or decision['snapshot']}`", "",
             f"Policy `{decision['policy'][:16]}` · attestation "
             f"`{(decision.get('attestation') or '-')[:16]}`", "",
             "| check | status | reason | how to run |", "|---|---|---|---|"]
    for c in decision["checks"]:
        reason = c["reason"].replace("|", "\\|")
        how = f"`{c['how_to_run']}`" if c["status"] not in ("pass", "n/a") and c["how_to_run"] \
            else ""
        lines.append(f"| {c['name']} | {SYMBOL.get(c['status'], '')} {c['status']} | {reason} "
                     f"| {how} |")
    return "\n".join(lines) + "\n"


def table_rows(decision: dict) -> list[list]:
    return [[c["name"], c["status"].upper(), c["reason"], (c["result"] or "")[:12]]
            for c in decision["checks"]]
