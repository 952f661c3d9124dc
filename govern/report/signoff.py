"""Sign-off records: a dated decision (approve or reject) by a named person in a role, bound to
the sha256 of a compliance report's JSON file and to the snapshot it describes, signed with
the store's Ed25519 key in the same DSSE envelope as gate attestations.

`verify_signoff` re-checks the signature and re-hashes the report: a report edited after it
was signed raises IntegrityError (exit 3). `require_approved` is the hook `govern train`
calls when the policy's [report] require_signoff is set.
"""
from __future__ import annotations

import json
from pathlib import Path

from govern.digests import canonical_json, digest_json, sha256_file
from govern.errors import IntegrityError, PolicyViolation, UsageError
from govern.store.files import write_output
from govern.store.ledger import _who
from govern.store.store import now

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://govern.example/signoff/v1"
DECISIONS = ("approve", "reject")
KIND = "signoff"


def read_report(path: Path) -> dict:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no report at {path}", hint="run `govern report compliance REF`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IntegrityError(f"{path}: not a readable compliance report ({type(e).__name__})") from None
    if not isinstance(report, dict) or report.get("report") != "compliance":
        raise UsageError(f"{path} is not a govern compliance report (JSON)")
    return report


def create_signoff(store, report_path: Path, by: str, role: str, decision: str,
                   note: str | None = None, key_path: Path | None = None) -> tuple[dict, Path, str]:
    """Sign a decision on the report; writes <report>.signoff-<digest12>.json beside it and
    records it in the store. Returns (statement, path, envelope digest)."""
    from govern.gate import signing
    store.require_ledger()  # exit 3: nothing is signed on a ledger that does not verify
    if decision not in DECISIONS:
        raise UsageError(f"decision must be approve or reject, not {decision!r}")
    if not by.strip() or not role.strip():
        raise UsageError("--by and --role must not be empty")
    report_path = Path(report_path)
    report = read_report(report_path)
    digest = sha256_file(report_path)
    snap = report["snapshot"]
    from govern.report.compliance import validate_report
    validate_report(report)
    if store.db.execute("SELECT 1 FROM snapshots WHERE id=?", (snap["id"],)).fetchone() is None:
        raise UsageError(f"the report describes snapshot {snap['id'][:12]}, which this store "
                         "does not hold", hint="sign with the store the report was built from")
    statement = {
        "_type": STATEMENT_TYPE, "predicateType": PREDICATE_TYPE,
        "subject": [{"name": report_path.name, "digest": {"sha256": digest}},
                    {"name": f"snapshot:{snap.get('name') or snap['id'][:12]}",
                     "digest": {"sha256": snap["id"]}}],
        "predicate": {"by": by.strip(), "role": role.strip(), "decision": decision,
                      "note": note or "", "date": now(), "actor": _who(),
                      "report": {"path": str(report_path), "sha256": digest,
                                 "created": report.get("created")},
                      "snapshot": {"id": snap["id"], "manifest": snap.get("manifest")},
                      "policy": report["policy"]["digest"], "gate": report["gate"]["status"]}}
    key = signing.load_private_key(signing.signing_key_path(store, key_path))
    envelope = signing.sign(canonical_json(statement).encode("utf-8"), key)
    env_digest = digest_json(envelope)
    out = report_path.with_name(f"{report_path.stem}.signoff-{env_digest[:12]}.json")
    write_output(out, canonical_json(envelope) + "\n")
    store.put_result(KIND, snap["id"], env_digest, envelope, command="signoff")
    return statement, out, env_digest


def open_signoff(store, envelope: dict) -> dict:
    """The signed statement, or IntegrityError for a tampered or foreign signature."""
    from govern.gate import signing
    statement = signing.open_envelope(envelope, signing.trusted_keys(store))
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise IntegrityError("the signed statement is not a govern sign-off")
    return statement


def verify_signoff(store, envelope: dict, report_path: Path | None = None) -> dict:
    """Check the signature and that the report still hashes to the signed digest."""
    statement = open_signoff(store, envelope)
    pred = statement["predicate"]
    path = Path(report_path or pred["report"]["path"])
    if not path.is_file() and store is not None and report_path is None \
            and store.objects.exists(pred["report"]["sha256"]):
        store.objects.get_bytes(pred["report"]["sha256"])  # the store's copy, re-hashed
        path = None
    elif not path.is_file():
        raise IntegrityError(f"the signed report {path} is missing",
                             hint="restore the report file the sign-off names")
    actual = sha256_file(path) if path else pred["report"]["sha256"]
    if actual != pred["report"]["sha256"]:
        raise IntegrityError(f"{path} changed after it was signed off by {pred['by']} "
                             f"({pred['role']}, {pred['date']}): sha256 {actual[:12]}, "
                             f"signed {pred['report']['sha256'][:12]}",
                             hint="rebuild the report and sign it again")
    return {"digest": digest_json(envelope), "by": pred["by"], "role": pred["role"],
            "decision": pred["decision"], "date": pred["date"],
            "report": str(path) if path else f"store:{pred['report']['sha256']}",
            "snapshot": pred["snapshot"]["id"], "note": pred["note"]}


def signoffs_for(store, report_path: Path | None = None) -> list[dict]:
    """Envelopes recorded in the store (all, or those naming this report file), plus any
    sign-off files written beside the report."""
    found: dict[str, dict] = {}
    for row in store.list_results(KIND):
        found[row["config"]] = store.get_json(row["digest"])
    if report_path is not None:
        rp = Path(report_path)
        for f in sorted(rp.parent.glob(f"{rp.stem}.signoff-*.json")):
            try:
                env = json.loads(f.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise IntegrityError(f"{f}: not a readable sign-off record") from None
            found[digest_json(env)] = env
        mine = {}
        for d, env in found.items():
            pred = open_signoff(store, env)["predicate"]
            if Path(pred["report"]["path"]).resolve() == rp.resolve() \
                    or Path(pred["report"]["path"]).name == rp.name:
                mine[d] = env
        found = mine
    return list(found.values())


def require_approved(store, snapshot, policy) -> dict | None:
    """For `govern train`: with [report] require_signoff, a valid approving sign-off (one per
    role in signoff_roles) of a compliance report of this snapshot; the latest decision per
    role counts. Returns None when not required; raises PolicyViolation / IntegrityError."""
    section = policy.section("report")
    if not section.get("require_signoff"):
        return None
    latest: dict[str, dict] = {}
    for row in store.list_results(KIND, snapshot.id):
        info = verify_signoff(store, store.read_result(row))  # names this snapshot
        key = info["role"] if section.get("signoff_roles") else "*"
        if key not in latest or info["date"] >= latest[key]["date"]:
            latest[key] = info
    hint = (f"run `govern report compliance {snapshot.name or snapshot.id[:12]}`, then "
            "`govern signoff REPORT.json --by NAME --role ROLE --decision approve`")
    roles = section.get("signoff_roles") or ["*"]
    missing = [r for r in roles if r not in latest]
    rejected = [r for r in roles if r in latest and latest[r]["decision"] != "approve"]
    if rejected:
        who = ", ".join(f"{latest[r]['by']} ({latest[r]['role']})" for r in rejected)
        raise PolicyViolation(f"the compliance report of {snapshot.label()} was rejected by {who}",
                              hint)
    if missing:
        need = "no approved sign-off" if roles == ["*"] else \
            f"no approved sign-off by role(s) {', '.join(missing)}"
        raise PolicyViolation(f"[report] require_signoff: {snapshot.label()} has {need}", hint)
    return {"signoffs": [latest[r]["digest"] for r in roles],
            "reports": sorted({latest[r]["report"] for r in roles})}
