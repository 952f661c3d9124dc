"""The gate's checks: each turns evidence and the [gate] limits into pass/fail with a reason.

A check is a dict: name, status (pass | fail | missing | stale | n/a), reason, result (the
digest of the stored result it used, if any) and how_to_run (the command producing it).
"""
from __future__ import annotations

from typing import Callable

from govern.data.text import texts
from govern.digests import canonical_json, sha256_text
from govern.gate.sources import Evidence

CHECKS = ("pii", "secrets", "leakage", "validation", "min_records", "duplicates")


def check(name: str, status: str, reason: str, result: str | None = None,
          how_to_run: str = "") -> dict:
    return {"name": name, "status": status, "reason": reason, "result": result,
            "how_to_run": how_to_run}


def from_evidence(name: str, ev: Evidence, judge: Callable[[dict], tuple[str, str]],
                  gate: dict) -> dict:
    """Judge a found result; report missing/stale/n-a evidence with the command to run."""
    if ev.status == "found":
        status, reason = judge(ev.payload)
        return check(name, status, reason, ev.digest, ev.how_to_run)
    if ev.status == "n/a":
        if gate["missing_inputs"] == "fail":
            return check(name, "fail", f"required, but {ev.reason}", None, ev.how_to_run)
        return check(name, "n/a", ev.reason, None, ev.how_to_run)
    hint = f"run `{ev.how_to_run}` (or `govern gate ... --run`)"
    return check(name, ev.status, f"{ev.reason}; {hint}", None, ev.how_to_run)


def _unscanned(payload: dict) -> str | None:
    failed = payload.get("failed") or 0
    if failed:
        return f"{failed} of {payload.get('total', '?')} records could not be scanned"
    return None


def judge_scan(kind: str, limit: int) -> Callable[[dict], tuple[str, str]]:
    """pii / secrets: blocking findings (after the accepted-findings baseline) within limit."""
    what = "PII" if kind == "pii" else "secret"

    def judge(payload: dict) -> tuple[str, str]:
        problem = _unscanned(payload)
        if problem:
            return "fail", problem
        n = int((payload.get("blocking") or {}).get(kind, 0))
        scanned = payload.get("scanned", payload.get("total", "?"))
        status = "pass" if n <= limit else "fail"
        return status, f"{n} blocking {what} finding(s) in {scanned} records (limit {limit})"
    return judge


def judge_leakage(limit: int) -> Callable[[dict], tuple[str, str]]:
    def judge(payload: dict) -> tuple[str, str]:
        problem = _unscanned(payload)
        if problem:
            return "fail", problem
        n = int(payload.get("leaked_records") or 0)
        names = ", ".join(g.get("name") or g.get("id", "")[:12] for g in payload.get("golden", []))
        status = "pass" if n <= limit else "fail"
        return status, f"{n} record(s) leak golden items from {names or 'the golden sets'} " \
                       f"(limit {limit})"
    return judge


def judge_validation(payload: dict) -> tuple[str, str]:
    suites = payload.get("suites") or []
    if payload.get("success"):
        n = sum(s["statistics"]["evaluated_expectations"] for s in suites)
        return "pass", f"{n} expectations met ({', '.join(s['name'] for s in suites)})"
    parts = []
    for s in suites:
        if not s["success"]:
            failed = ", ".join(sorted({f"{f['expectation']}"
                                       + (f"({f['column']})" if f.get("column") else "")
                                       for f in s["failed"]}))
            parts.append(f"suite {s['name']}: {len(s['failed'])} failed: {failed}")
    return "fail", "; ".join(parts)


def min_records(snapshot, minimum: int) -> dict:
    n = snapshot.count
    return check("min_records", "pass" if n >= minimum else "fail",
                 f"{n} records (minimum {minimum})")


def duplicates(snapshot, limit: float) -> dict:
    """Share of records whose text content (ids aside) repeats an earlier record's."""
    seen, dups, total = set(), 0, 0
    for ref in snapshot.iter_records():
        key = sha256_text(canonical_json([t.text for t in texts(ref.record, skip_ids=True)]))
        dups += key in seen
        seen.add(key)
        total += 1
    ratio = dups / total if total else 0.0
    return check("duplicates", "pass" if ratio <= limit else "fail",
                 f"{dups} duplicate record(s), ratio {ratio:.3f} (limit {limit})")
