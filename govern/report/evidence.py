"""Collecting what the store knows about one snapshot: scans, validation, attestations,
adapters, evaluations. Every piece keeps the digest of the artifact it came from.

Nothing here trusts a stored status: attestations are verified as they are read, and one
that fails verification is returned as broken (with the reason), never dropped or raised.
"""
from __future__ import annotations

import datetime as dt

from govern.errors import GovernError
from govern.findings import read_jsonl

FINDING_KEYS = ("row", "line", "file", "field", "role", "type", "start", "end", "score",
                "detector", "fingerprint", "mask", "golden", "method", "methods", "action")


def latest(store, kind: str, subject: str) -> tuple[str, dict] | None:
    """The newest stored result of a kind for a subject (the one a rerun would replace)."""
    rows = store.list_results(kind, subject)
    payload = store.read_result(rows[-1]) if rows else None  # names this subject, else exit 3
    return (rows[-1]["digest"], payload) if payload is not None else None


def safe_findings(store, payload: dict, limit: int) -> tuple[list[dict], int]:
    """Masked finding rows from a result's findings object (masks and fingerprints only)."""
    digest = payload.get("findings_object")
    if not digest:
        return [], 0
    lines = store.objects.get_bytes(digest).decode("utf-8").splitlines()
    rows = []
    for f in read_jsonl(lines[:limit]):
        d = f.to_dict()
        row = {k: d[k] for k in FINDING_KEYS if k in d}
        if f.extra.get("baseline"):
            row["baseline"] = f.extra["baseline"]
        if f.extra.get("golden_set"):
            row["golden_set"] = f.extra["golden_set"]
        rows.append(row)
    return rows, len([line for line in lines if line.strip()])


def baseline_entries(path: str | None, today: dt.date) -> list[dict]:
    """The accepted-findings baseline file named by a PII result, each entry marked expired or
    not; fingerprints, reasons, approvers and dates only (the file holds no values)."""
    from pathlib import Path
    from govern.pii.baseline import load_baseline
    if not path or not Path(path).exists():
        return []
    out = []
    for fp, e in sorted(load_baseline(Path(path)).entries.items()):
        expired = dt.date.fromisoformat(e["expires"]) < today
        out.append({"fingerprint": fp, "type": e.get("type"), "mask": e.get("mask"),
                    "reason": e.get("reason", ""),
                    "approver": e.get("approver", ""), "expires": e["expires"],
                    "expired": expired})
    return out


def attestations(store, snapshot_id: str) -> list[dict]:
    """Every attestation recorded for the snapshot, verified now; broken ones say why."""
    from govern.gate.attestation import verify_attestation
    out = []
    for row in store.list_results("attestation", snapshot_id):
        item = {"digest": row["digest"], "policy": row["config"], "recorded": row["created"],
                "verified": False, "error": None, "decision": None, "checks": [],
                "time": None, "keyid": None, "inputs": []}
        try:
            info = verify_attestation(store, store.read_result(row))
            if info["subject"] != snapshot_id or info["policy"] != row["config"]:
                raise GovernError("the attestation names another snapshot or policy (swapped)")
        except (GovernError, ValueError) as e:
            item["error"] = str(e)
            out.append(item)
            continue
        pred = info["statement"]["predicate"]
        item.update(verified=True, decision=info["decision"], keyid=info["keyid"],
                    time=pred.get("timeVerified"),
                    checks=[{k: c.get(k) for k in ("name", "status", "reason", "result")}
                            for c in pred.get("checks", [])],
                    inputs=[{"kind": i["uri"].rsplit(":", 1)[-1], "digest": i["digest"]["sha256"]}
                            for i in pred.get("inputAttestations", [])])
        out.append(item)
    return out


def adapters(store, snapshot_id: str) -> list[dict]:
    """Adapters trained on the snapshot with the manifest fields a reviewer checks."""
    out = []
    for row in store.list_results("adapter", snapshot_id):
        m = store.get_json(row["digest"])
        base = m.get("base_model") or {}
        weights = (m.get("adapter") or {}).get("weights_digest")  # rows are keyed per run
        out.append({"manifest_digest": row["digest"], "weights_digest": weights,
                    "adapter_digest": (m.get("adapter") or {}).get("digest"),
                    "created": m.get("created"), "task": m.get("task"),
                    "base_model": {"name": base.get("name"), "digest": base.get("digest")},
                    "attestation": (m.get("attestation") or {}).get("digest"),
                    "policy": (m.get("attestation") or {}).get("policy_digest"),
                    "config_digest": m.get("config_digest"),
                    "metrics": {k: v for k, v in (m.get("metrics") or {}).items()
                                if isinstance(v, (int, float)) and not isinstance(v, bool)},
                    "records": (m.get("snapshot") or {}).get("records"),
                    "folder": adapter_folder(store, weights)})
        out[-1]["verified"], out[-1]["error"] = _verify(store, out[-1]["folder"])
    return out


def _verify(store, folder: str | None) -> tuple[bool | None, str | None]:
    """Re-hash the adapter's files against its manifest; None when the folder is not here."""
    from pathlib import Path
    from govern.train.manifest import verify_adapter
    if not folder or not Path(folder).is_dir():
        return None, "the adapter folder is not available here"
    try:
        verify_adapter(Path(folder), store)
    except GovernError as e:
        return False, str(e)
    return True, None


def adapter_folder(store, weights_digest: str) -> str | None:
    """Where `govern train` wrote an adapter, from its ledger entry (None if unknown)."""
    from govern.store.ledger import entries
    for e in reversed(entries(store.db)):
        if e["command"] == "train adapter" and e["outputs"].get("adapter") == weights_digest:
            return e["outputs"].get("folder")
    return None


def evaluations(store, snapshot_id: str, adapter_digests: set[str]) -> tuple[list, list]:
    """Eval results of models trained on the snapshot, and regression verdicts about them."""
    results, mine, seen = [], set(), set()
    for row in store.list_results("eval"):
        p = store.read_result(row)  # names this row, else exit 3; None: older, unbound
        if p is None:
            continue
        subject_adapter = row["subject"].split(":", 1)[-1]
        snap = (p.get("adapter") or {}).get("snapshot")
        trained_on = snap.get("id") if isinstance(snap, dict) else snap
        if snapshot_id not in (p.get("train_snapshot"), trained_on) \
                and subject_adapter not in adapter_digests:
            continue
        mine.add(row["digest"])
        key = (row["subject"], row["config"].split(":")[0], p.get("mode"))
        if key in seen:  # a baseline mode stored twice (per mode and as the best one)
            continue
        seen.add(key)
        suite = p.get("suite") or {}
        metric = suite.get("metric")
        results.append({"digest": row["digest"], "suite": suite.get("name"),
                        "role": suite.get("role"), "metric": metric, "mode": p.get("mode"),
                        "value": (p.get("metrics") or {}).get(metric),
                        "adapter": subject_adapter if subject_adapter != "none" else None})
    regressions = []
    for row in store.list_results("regression"):
        if row["subject"] not in mine:
            continue
        r = store.read_result(row)
        if r is None:
            continue
        regressions.append({"digest": row["digest"], "passed": r["passed"], "created": r["created"],
                            "suites": [{"name": s["suite"]["name"], "role": s["suite"]["role"],
                                        "metric": s["suite"]["metric"], "delta": s["delta"],
                                        "ci": s["ci"], "p_value": s["p_value"],
                                        "verdict": s["verdict"], "passed": s["passed"]}
                                       for s in r["suites"]]})
    return results, regressions
