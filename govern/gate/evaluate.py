"""`run_gate`: decide, under the policy's [gate] section, whether a snapshot may be trained on.

Only results for exactly this snapshot under the configs the current policy implies count.
Every required check is listed with its status and reason; the decision is "pass" when each
is pass or n/a. Passing and failing decisions alike are signed, stored and put in the ledger.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govern.gate import checks as C
from govern.gate import sources as S
from govern.gate.attestation import build_statement, sign_and_record
from govern.gate.sources import Evidence

OK = ("pass", "n/a")


@dataclass
class GateDecision:
    snapshot: str
    policy: str
    decision: str
    checks: list[dict] = field(default_factory=list)
    attestation_digest: str | None = None
    results: list[dict] = field(default_factory=list)
    label: str = ""

    @property
    def passed(self) -> bool:
        return self.decision == "pass"

    def failing(self) -> list[dict]:
        return [c for c in self.checks if c["status"] not in OK]

    def to_dict(self) -> dict:
        return {"snapshot": self.snapshot, "label": self.label, "policy": self.policy,
                "decision": self.decision, "checks": self.checks, "results": self.results,
                "attestation": self.attestation_digest}


def _evaluate(store, snapshot, policy, run_missing: bool) -> tuple[list[dict], list[Evidence]]:
    gate = policy.section("gate")
    required = gate["require"]
    checks, used = [], []
    if "pii" in required or "secrets" in required:
        ev = S.pii_evidence(store, snapshot, policy, run_missing)
        used.append(ev)
        for kind, limit in (("pii", gate["max_pii_findings"]),
                            ("secrets", gate["max_secret_findings"])):
            if kind in required:
                checks.append(C.from_evidence(kind, ev, C.judge_scan(kind, limit), gate))
    if "leakage" in required:
        ev = S.leakage_evidence(store, snapshot, policy, run_missing)
        used.append(ev)
        limit = policy.section("leakage").get("max_leaked_records", 0)
        checks.append(C.from_evidence("leakage", ev, C.judge_leakage(limit), gate))
    if "validation" in required:
        ev = S.validation_evidence(store, snapshot, policy, run_missing)
        used.append(ev)
        checks.append(C.from_evidence("validation", ev, C.judge_validation, gate))
    if "min_records" in required:
        checks.append(C.min_records(snapshot, gate["min_records"]))
    if "duplicates" in required:
        checks.append(C.duplicates(snapshot, gate["max_duplicate_ratio"]))
    return checks, used


def run_gate(store, snapshot, policy, run_missing: bool = False,
             key_path: Path | None = None) -> GateDecision:
    """Evaluate the gate for one snapshot, sign and record the decision, return it.

    Refuses (IntegrityError, exit 3) a ledger that does not verify and a snapshot whose
    manifest or shards no longer re-hash, before any evidence is read and again before signing.
    """
    from govern.snapshot.verify import require_intact
    store.require_ledger()
    require_intact(store, snapshot)
    checks, used = _evaluate(store, snapshot, policy, run_missing)
    require_intact(store, snapshot)
    decision = "pass" if all(c["status"] in OK for c in checks) else "fail"
    results = [{"kind": ev.kind, "config": ev.config, "digest": ev.digest}
               for ev in used if ev.digest]
    statement = build_statement(snapshot, policy, decision, checks, results)
    digest = sign_and_record(store, snapshot, policy, statement, key_path)
    store.audit("gate", {"snapshot": snapshot.id, "policy": policy.digest,
                         "results": [r["digest"] for r in results]},
                {"decision": decision, "attestation": digest,
                 "failing": [c["name"] for c in checks if c["status"] not in OK]})
    return GateDecision(snapshot.id, policy.digest, decision, checks, digest, results,
                        snapshot.label())
