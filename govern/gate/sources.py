"""Where the gate's evidence comes from: stored results for exactly this snapshot and config.

Each source (pii, leakage, validation) knows its result kind, the config digest the current
policy implies, the command that produces it and how to run it in process for `gate --run`.
A result for this snapshot under another config is "stale"; none for this snapshot is
"missing" (the reason says when only the parent has one).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from govern.errors import UsageError
from govern.snapshot.model import resolve
from govern.snapshot.target import Target


@dataclass
class Evidence:
    kind: str
    status: str  # found | missing | stale | n/a
    reason: str = ""
    how_to_run: str = ""
    config: str | None = None
    digest: str | None = None
    payload: dict = field(default_factory=dict)


def _scanner(module: str):
    """The scanner module, or None while it is not installed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and module.startswith(e.name):
            return None
        raise


def ref_of(snapshot) -> str:
    return snapshot.name or snapshot.id[:12]


def lookup(store, snapshot, kind: str, config: str, how_to_run: str) -> Evidence:
    found = store.get_result(kind, snapshot.id, config)  # exit 3 if it names another subject
    if found:
        return Evidence(kind, "found", how_to_run=how_to_run, config=config,
                        digest=found[0], payload=found[1])
    rows = store.list_results(kind, snapshot.id)
    if any(r["config"] == config for r in rows):
        return Evidence(kind, "stale", f"the stored {kind} result for this snapshot was written "
                        "by an older govern and names no snapshot, so it is no evidence",
                        how_to_run, config)
    if rows:
        return Evidence(kind, "stale", f"the stored {kind} result for this snapshot was made "
                        "with another scanner config or policy", how_to_run, config)
    parent = snapshot.manifest.get("parent")
    extra = " (only its parent has one)" if parent and store.list_results(kind, parent) else ""
    return Evidence(kind, "missing", f"no {kind} result for this snapshot{extra}",
                    how_to_run, config)


def _target(snapshot) -> Target:
    return Target(snapshot.label(), snapshot=snapshot)


def pii_evidence(store, snapshot, policy, run: bool) -> Evidence:
    how = f"govern scan pii {ref_of(snapshot)}"
    scan = _scanner("govern.pii.scan")
    if scan is None:
        return Evidence("pii", "missing", "the PII scanner (govern.pii) is not installed", how)
    ev = lookup(store, snapshot, "pii", scan.config_digest(policy), how)
    # a found result is re-read through the scanner too: baseline entries expire by date,
    # and the scanner recomputes "blocking" for a stored result without rescanning
    if ev.status == "found" or run:
        scan.scan_target(store, _target(snapshot), policy)
        ev = lookup(store, snapshot, "pii", ev.config, how)
    return ev


def golden_sets(store, policy) -> list:
    names = policy.section("leakage").get("golden") or []
    try:
        return [resolve(store, name, kind="golden") for name in names]
    except UsageError as e:
        raise UsageError(f"[leakage] golden: {e.message}",
                         hint="`govern snapshot list --kind golden` lists the golden sets") from None


def leakage_evidence(store, snapshot, policy, run: bool) -> Evidence:
    how = f"govern scan leakage {ref_of(snapshot)}"
    goldens = golden_sets(store, policy)
    if not goldens:
        return Evidence("leakage", "n/a", "no golden sets configured ([leakage] golden)", how)
    scan = _scanner("govern.leakage.scan")
    if scan is None:
        return Evidence("leakage", "missing", "the leakage scanner (govern.leakage) is not "
                        "installed", how)
    config = scan.config_digest(policy, [g.id for g in goldens])
    ev = lookup(store, snapshot, "leakage", config, how)
    if ev.status in ("missing", "stale") and run:
        scan.scan_target(store, _target(snapshot), goldens, policy)
        ev = lookup(store, snapshot, "leakage", config, how)
    return ev


def validation_evidence(store, snapshot, policy, run: bool) -> Evidence:
    from govern.validate.suites import policy_labels, policy_suites, suites_config
    how = f"govern validate {ref_of(snapshot)}"
    paths = policy_suites(policy, snapshot.layout)
    if not paths:
        return Evidence("validation", "n/a", f"no suite for layout {snapshot.layout!r} "
                        "([validate] suites)", how)
    config = suites_config(paths, policy_labels(policy, snapshot.layout))
    ev = lookup(store, snapshot, "validation", config, how)
    if ev.status in ("missing", "stale") and run:
        from govern.validate.run import validate_target
        validate_target(store, _target(snapshot), paths, policy)
        ev = lookup(store, snapshot, "validation", config, how)
    return ev
