"""Signed attestations of gate decisions, and their verification for `attest verify` and `train`.

A statement follows in-toto v1 with a predicate in the spirit of SLSA's verification summary:
subject = the snapshot id; predicate = policy digest, the digest of every result used, the
decision and each check, tool and library versions, time and who ran it. It is signed
(signing.py), stored as a store object and recorded as result kind "attestation" under
(snapshot id, policy digest). Verifying re-checks the signature, the key and every digest named.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

from govern.digests import canonical_json, digest_json
from govern.errors import IntegrityError, PolicyViolation
from govern.gate import signing
from govern.store.ledger import _who
from govern.store.store import now

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1"
LIBRARIES = ("great-expectations", "cryptography", "presidio-analyzer", "datasketch", "pandas")


def versions() -> dict:
    from importlib import metadata
    import govern
    out = {"govern": govern.__version__, "python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            pass
    return out


def build_statement(snapshot, policy, decision: str, checks: list[dict],
                    results: list[dict]) -> dict:
    """results: [{"kind", "config", "digest"}] of every stored result the decision used."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": snapshot.name or snapshot.id, "digest": {"sha256": snapshot.id}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "verifier": {"id": "govern gate", "version": versions()},
            "timeVerified": now(), "actor": _who(),
            "resourceUri": f"govern:snapshot:{snapshot.id}",
            "ledger": _ledger_head(snapshot.store),
            "manifest": {"sha256": snapshot.manifest_digest},
            "policy": {"uri": str(policy.path) if policy.path else "(defaults)",
                       "digest": {"sha256": policy.digest}},
            "inputAttestations": [{"uri": f"govern:result:{r['kind']}", "config": r["config"],
                                   "digest": {"sha256": r["digest"]}} for r in results],
            "verificationResult": "PASSED" if decision == "pass" else "FAILED",
            "decision": decision,
            "checks": [{k: c.get(k) for k in ("name", "status", "reason", "result")}
                       for c in checks]}}


def _ledger_head(store) -> dict:
    """The audit ledger's head as this statement is made: a later cut of the ledger shows."""
    from govern.store import ledger
    seq, h = ledger.last(store.db)
    return {"seq": seq, "hash": h}


def sign_and_record(store, snapshot, policy, statement: dict, key_path: Path | None = None) -> str:
    """Sign the statement, store the envelope and record it (and the ledger entry)."""
    key = signing.load_private_key(signing.signing_key_path(store, key_path))
    envelope = signing.sign(canonical_json(statement).encode("utf-8"), key)
    return store.put_result("attestation", snapshot.id, policy.digest, envelope,
                            command="gate attest")


def write_envelope(envelope: dict, path: Path) -> None:
    """Canonical JSON and one newline: verification insists on exactly these bytes."""
    from govern.store.files import write_output
    write_output(path, canonical_json(envelope) + "\n")


def read_envelope(path: Path) -> dict:
    data = Path(path).read_bytes()
    try:
        envelope = json.loads(data)
        canonical = canonical_json(envelope) + "\n"
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise IntegrityError(f"{path}: not a readable attestation (tampered or truncated)") from None
    if data.decode("utf-8") != canonical:
        raise IntegrityError(f"{path}: attestation bytes were altered (not in canonical form)")
    return envelope


def _subject(statement: dict) -> tuple[str, str, list[dict]]:
    try:
        subject = statement["subject"][0]["digest"]["sha256"]
        pred = statement["predicate"]
        return subject, pred["policy"]["digest"]["sha256"], pred["inputAttestations"]
    except (KeyError, IndexError, TypeError):
        raise IntegrityError("the signed statement is not a govern gate attestation") from None


def verify_attestation(store, envelope_or_path, trusted: list[Path] | None = None) -> dict:
    """Check signature, key and every digest named; IntegrityError on any mismatch."""
    envelope = envelope_or_path if isinstance(envelope_or_path, dict) \
        else read_envelope(Path(envelope_or_path))
    statement = signing.open_envelope(envelope, signing.trusted_keys(store, trusted))
    subject, policy_digest, inputs = _subject(statement)
    if store is not None:
        row = store.db.execute("SELECT manifest FROM snapshots WHERE id=?", (subject,)).fetchone()
        if row is None:
            raise IntegrityError(f"the attestation names snapshot {subject[:12]}, "
                                 "which this store does not hold")
        manifest = statement["predicate"].get("manifest", {}).get("sha256")
        if manifest and manifest != row[0]:
            raise IntegrityError("the attestation names another manifest for its snapshot")
        from govern.snapshot.verify import require_intact
        from govern.store.ledger import recorded_head_problems
        require_intact(store, subject)  # manifest and shards re-hash to the snapshot id
        for item in inputs:
            store.objects.get_bytes(item["digest"]["sha256"])  # raises when missing or damaged
        head = statement["predicate"].get("ledger")
        problems = recorded_head_problems(store.db, [("the attestation", head)]) \
            if isinstance(head, dict) else []
        if problems:
            raise IntegrityError(problems[0], hint="`govern audit verify` checks the ledger")
    return {"digest": digest_json(envelope), "statement": statement, "subject": subject,
            "policy": policy_digest, "decision": statement["predicate"].get("decision"),
            "keyid": envelope["signatures"][0]["keyid"]}


def attestation_for(store, ref: str, policy) -> dict:
    """The stored envelope for snapshot REF: under this policy, else the latest one. Each is
    checked to name REF's snapshot (store.read_result) whatever the catalog row says."""
    from govern.snapshot import resolve
    snapshot = resolve(store, ref)
    found = store.get_result("attestation", snapshot.id, policy.digest)
    if found:
        return found[1]
    others = store.list_results("attestation", snapshot.id)
    if not others:
        raise IntegrityError(f"snapshot {snapshot.label()} has no attestation (unsigned)",
                             hint=f"run `govern gate {ref}`")
    return store.read_result(others[-1])


def verify_for(store, ref: str, policy, trusted: list[Path] | None = None) -> dict:
    """`attest verify REF`: REF's attestation, verified, whose signed subject is REF's id."""
    from govern.snapshot import resolve
    snapshot = resolve(store, ref)
    info = verify_attestation(store, attestation_for(store, ref, policy), trusted)
    if info["subject"] != snapshot.id:
        raise IntegrityError(f"the attestation recorded for {snapshot.label()} is about snapshot "
                             f"{info['subject'][:12]} (swapped)")
    return info


def require_valid(store, snapshot, policy) -> dict:
    """For `govern train`: a valid, passing attestation of this snapshot under this policy."""
    ref = snapshot.name or snapshot.id[:12]
    hint = f"run `govern gate {ref} --run` under the current policy"
    found = store.get_result("attestation", snapshot.id, policy.digest)
    if found is None:
        others = store.list_results("attestation", snapshot.id)
        if others:
            raise PolicyViolation(
                f"the attestation of {snapshot.label()} is stale: it was made under policy "
                f"{others[-1]['config'][:12]}, the current policy is {policy.digest[:12]}", hint)
        raise PolicyViolation(f"snapshot {snapshot.label()} has no gate attestation", hint)
    digest, envelope = found
    info = verify_attestation(store, envelope)
    if info["subject"] != snapshot.id or info["policy"] != policy.digest:
        raise IntegrityError(f"the attestation recorded for {snapshot.label()} names another "
                             "snapshot or policy (swapped)")
    if info["decision"] != "pass":
        failed = [c["name"] for c in info["statement"]["predicate"]["checks"]
                  if c["status"] not in ("pass", "n/a")]
        raise PolicyViolation(f"the gate failed for {snapshot.label()}: "
                              f"{', '.join(failed) or 'see the attestation'}",
                              f"fix the data, then {hint[0].lower()}{hint[1:]}")
    return {"digest": digest, "statement": info["statement"]}
