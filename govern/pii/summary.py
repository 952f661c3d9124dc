"""The stored summary of a PII scan (the payload the gate and the compliance report read).

Counts by type, field and role; blocking findings (action block, not covered by an unexpired
baseline entry) split into PII and secrets; scanned + failed = total, always.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from govern.findings import Finding
from govern.pii.baseline import Baseline
from govern.pii.detectors import is_secret
from govern.pii.settings import action_for


def field_group(field: str) -> str:
    """`messages[3].content` -> `messages[].content`: one row per kind of field."""
    return re.sub(r"\[\d+\]", "[]", field)


def apply_actions(findings: list[Finding], section: dict) -> None:
    actions: dict = {}  # (type, role) -> action: a scan has few pairs and many findings
    for f in findings:
        key = (f.type, f.role)
        if key not in actions:
            actions[key] = action_for(section, f.type, f.role)
        f.action = actions[key]


def summarize(findings: list[Finding], counts: dict, policy, baseline: Baseline,
              today: dt.date) -> dict:
    """The payload; also marks each finding's baseline status in `extra`."""
    apply_actions(findings, policy.section("pii"))
    blocking = {"pii": 0, "secrets": 0}
    accepted = expired = 0
    for f in findings:
        state = baseline.status(f.fingerprint, today)
        f.extra.pop("baseline", None)
        if state:
            f.extra["baseline"] = state
        accepted += state == "accepted"
        expired += state == "expired"
        if f.action == "block" and state != "accepted":
            blocking["secrets" if is_secret(f.type) else "pii"] += 1
    failed = counts["failed"]
    by_field: Counter = Counter()
    for name, n in Counter(f.field for f in findings).items():  # few fields, many findings
        by_field[field_group(name)] += n
    return {
        "format": 1, "kind": "pii", "policy": policy.digest,
        "total": counts["total"], "scanned": counts["scanned"], "failed": failed,
        "findings": len(findings),
        "by_type": dict(sorted(Counter(f.type for f in findings).items())),
        "by_field": dict(sorted(by_field.items())),
        "by_role": dict(sorted(Counter(f.role or "-" for f in findings).items())),
        "blocking": blocking,
        "redactable": sum(f.action == "redact" for f in findings),
        "baseline": {"path": str(baseline.path), "accepted": accepted, "expired": expired,
                     "digest": baseline.digest},
        "status": "fail" if failed or blocking["pii"] or blocking["secrets"] else "pass",
    }
