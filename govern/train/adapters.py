"""Adapters recorded in the store: one result row per training run, keyed by its snapshot
and the digest of its manifest, holding the manifest (bound to that key). `list`, `show` and
`adapter verify` read these rows; a later run never replaces an earlier run's record.
(Stores written by older versions keyed the row by the adapter weights digest.)"""
from __future__ import annotations

from govern.errors import UsageError

KIND = "adapter"


def record(store, manifest: dict, folder: str) -> str:
    """Store the manifest (with where the adapter was written) and log it in the ledger."""
    from govern.train.manifest import manifest_digest
    digest = store.put_result(KIND, manifest["snapshot"]["id"], manifest_digest(manifest),
                              manifest, command="train")
    store.audit("train adapter", {"snapshot": manifest["snapshot"]["id"],
                                  "attestation": (manifest.get("attestation") or {}).get("digest"),
                                  "base_model": manifest["base_model"]["digest"]},
                {"adapter": manifest["adapter"]["weights_digest"], "manifest": digest,
                 "folder": str(folder)})
    return digest


def _rows(store) -> list[tuple[dict, dict]]:
    """(row, manifest) for every recorded run; the manifest as stored (index use only)."""
    return [(row, store.get_json(row["digest"])) for row in store.list_results(KIND)]


def list_adapters(store) -> list[dict]:
    out = []
    for row, m in _rows(store):
        out.append({"adapter": m["adapter"]["weights_digest"], "manifest": row["digest"],
                    "created": row["created"],
                    "snapshot": m["snapshot"]["id"], "snapshot_name": m["snapshot"].get("name"),
                    "base_model": m["base_model"]["name"], "base_model_digest": m["base_model"]["digest"],
                    "attestation": (m.get("attestation") or {}).get("digest"), "task": m["task"]})
    return out


def records_for(store, manifest_digest: str, weights_digest: str) -> tuple[list, bool]:
    """(rows recorded for exactly this manifest, whether any run recorded these weights)."""
    rows = _rows(store)
    mine = [r for r, _ in rows if r["config"] == manifest_digest
            or (r["config"] == weights_digest and r["digest"] == manifest_digest)]  # older rows
    weights = any(m["adapter"]["weights_digest"] == weights_digest for _, m in rows)
    return mine, weights


def show_adapter(store, ref: str) -> dict:
    """REF is an adapter weights digest (or unambiguous prefix) or a manifest digest prefix."""
    rows = [(r, m) for r, m in _rows(store)
            if m["adapter"]["weights_digest"].startswith(ref) or r["digest"].startswith(ref)]
    if not rows:
        raise UsageError(f"no adapter {ref!r} in the store", hint="`govern adapter list` shows them")
    if len({m["adapter"]["weights_digest"] for _, m in rows}) > 1:
        raise UsageError(f"adapter prefix {ref!r} is ambiguous", hint="give more characters")
    row, m = rows[-1]
    return {"manifest_digest": row["digest"], **{k: v for k, v in m.items() if k != "bound"}}
