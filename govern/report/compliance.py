"""`report compliance`: assemble everything the store knows about a snapshot into one JSON
document, validated against the packaged schema (schema/compliance-report.json).

The JSON is evidence, not prose: every section names the digests of the artifacts it read.
Rendering (Markdown, HTML, dataset and model cards) happens in render.py and cards.py.
"""
from __future__ import annotations

import datetime as dt

import govern
from govern.report import datacard, evidence, schemas
from govern.report.mapping import mapping
from govern.store.files import write_output
from govern.store.store import now

FORMAT = 1


def report_schema() -> dict:
    return schemas.packaged("govern.report", "compliance-report.json")


def validate_report(report: dict) -> None:
    schemas.check(report, report_schema(), "compliance report")


def _pii(store, sid: str, limit: int, today: dt.date, policy) -> tuple[dict, list]:
    found = evidence.latest(store, "pii", sid)
    if found is None:
        return {"status": "missing", "digest": None}, []
    digest, p = found
    rows, total = evidence.safe_findings(store, p, limit)
    base = p.get("baseline") or {}
    from govern.pii.baseline import baseline_path
    path = baseline_path(policy)  # the policy's file: the stored path may be cwd-relative
    entries = evidence.baseline_entries(str(path), today)
    state = {e["fingerprint"]: "expired" if e["expired"] else "accepted" for e in entries}
    for row in rows:  # judged today, as the gate would: entries expire by date
        row.pop("baseline", None)
        if row.get("fingerprint") in state:
            row["baseline"] = state[row["fingerprint"]]
    return {"status": p["status"], "digest": digest, "config": p.get("config"),
            "findings_object": p.get("findings_object"),
            **{k: p.get(k) for k in ("total", "scanned", "failed", "findings", "by_type",
                                      "by_field", "by_role", "blocking", "redactable")},
            "baseline": {"path": str(path), "digest": base.get("digest"),
                         "accepted": base.get("accepted", 0), "expired": base.get("expired", 0),
                         "entries": entries},
            "self_test": p.get("self_test"), "listed": len(rows), "total_findings": total}, rows


def _leakage(store, sid: str, limit: int) -> tuple[dict, list]:
    found = evidence.latest(store, "leakage", sid)
    if found is None:
        return {"status": "missing", "digest": None}, []
    digest, p = found
    rows, total = evidence.safe_findings(store, p, limit)
    return {"status": p["status"], "digest": digest, "config": p.get("config"),
            "findings_object": p.get("findings_object"),
            **{k: p.get(k) for k in ("golden", "methods", "total", "compared", "failed",
                                      "findings", "leaked_records", "leaked_golden_items",
                                      "by_method", "attribution", "self_test",
                                      "max_leaked_records")},
            "listed": len(rows), "total_findings": total}, rows


def _validation(store, sid: str) -> dict:
    found = evidence.latest(store, "validation", sid)
    if found is None:
        return {"status": "missing", "digest": None, "success": None, "suites": []}
    digest, p = found
    return {"status": "pass" if p["success"] else "fail", "digest": digest,
            "success": p["success"], "layout": p.get("layout"), "records": p.get("records"),
            "suites": [{"name": s["name"], "file": s["file"], "digest": s["digest"],
                        "success": s["success"], "statistics": s["statistics"],
                        "failed": s["failed"]} for s in p["suites"]]}


def _gate(atts: list[dict], policy_digest: str) -> dict:
    current = [a for a in atts if a["policy"] == policy_digest]
    latest = (current or atts or [None])[-1]
    if latest is None:
        status = "missing"
    elif not latest["verified"]:
        status = "broken"
    else:
        status = latest["decision"]
    return {"status": status, "current_policy": bool(current),
            "latest": latest["digest"] if latest else None, "attestations": atts}


def build_report(store, snapshot, policy, today: dt.date | None = None) -> dict:
    """The compliance report of one snapshot as a JSON-ready dict (validated)."""
    today = today or dt.date.today()
    limit = policy.section("report").get("max_table_rows", 100000)
    sid = snapshot.id
    pii, pii_rows = _pii(store, sid, limit, today, policy)
    leak, leak_rows = _leakage(store, sid, limit)
    adapters = evidence.adapters(store, sid)
    results, regressions = evidence.evaluations(
        store, sid, {a["adapter_digest"] for a in adapters if a["adapter_digest"]})
    sec = policy.section("report")
    report = {
        "format": FORMAT, "report": "compliance", "tool": f"govern {govern.__version__}",
        "created": now(),
        "policy": {"digest": policy.digest, "path": str(policy.path) if policy.path else None},
        "snapshot": {"id": sid, "name": snapshot.name, "manifest": snapshot.manifest_digest,
                     "records": snapshot.count, "layout": snapshot.layout,
                     "created": snapshot.manifest.get("created")},
        "data_card": datacard.data_card(store, snapshot, policy),
        "validation": _validation(store, sid), "pii": pii, "leakage": leak,
        "gate": _gate(evidence.attestations(store, sid), policy.digest),
        "adapters": adapters,
        "evaluation": {"results": results, "regressions": regressions},
        "findings": {"pii": pii_rows, "leakage": leak_rows},
        "signoff": {"required": sec.get("require_signoff", False),
                    "roles": sec.get("signoff_roles", []),
                    "how": "govern signoff REPORT.json --by NAME --role ROLE "
                           "--decision approve|reject [--note TEXT]"},
    }
    report["mapping"] = mapping(report, policy.section("pii").get("entities", []))
    report["summary"] = summary(report)
    validate_report(report)
    return report


def summary(r: dict) -> dict:
    """The headline a reader sees first: each area's status and what is left to do."""
    areas = {"validation": r["validation"]["status"], "pii": r["pii"]["status"],
             "leakage": r["leakage"]["status"], "gate": r["gate"]["status"],
             "evaluation": ("missing" if not r["evaluation"]["regressions"] else
                            "pass" if all(g["passed"] for g in r["evaluation"]["regressions"])
                            else "fail")}
    gaps = [f"{m['framework']} {m['id']}" for m in r["mapping"] if m["status"] == "gap"]
    ready = areas["gate"] == "pass" and all(v in ("pass", "missing") for k, v in areas.items()
                                            if k == "evaluation")
    return {"areas": areas, "gaps": gaps, "ready_for_signoff": ready,
            "adapters": len(r["adapters"])}


def compliance_report(store, ref: str, policy, out_dir) -> tuple[dict, dict, str]:
    """Build, write (JSON, Markdown, HTML, dataset card, governed model cards) and record the
    report of snapshot REF. Returns (report, paths by kind, sha256 of the JSON file)."""
    from pathlib import Path
    from govern.report import cards, render
    from govern.snapshot import resolve
    snapshot = resolve(store, ref)
    report = build_report(store, snapshot, policy)
    out_dir = Path(out_dir)
    paths = render.write_outputs(report, out_dir)
    card_dir = out_dir / f"dataset-card-{report['snapshot']['name'] or snapshot.id[:12]}"
    card_dir.mkdir(parents=True, exist_ok=True)
    paths["dataset_card"] = card_dir / "README.md"
    write_output(paths["dataset_card"], cards.dataset_card(report, paths["json"].name))
    for i, p in enumerate(cards.write_model_cards(report, out_dir, paths["json"].name)):
        paths[f"model_card_{i}"] = p
    file_digest = store.objects.put_bytes(paths["json"].read_bytes())  # sign-offs bind to it
    store.put_result("compliance-report", snapshot.id, policy.digest,
                     {"report": file_digest, "file": str(paths["json"]),
                      "gate": report["gate"]["status"], "created": report["created"]},
                     command="report compliance")
    return report, paths, file_digest
