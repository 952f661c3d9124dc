"""Adapters recorded in the store: one result row per training run, keyed by its snapshot
and adapter weights digest, holding the manifest. `list` and `show` read these rows."""
from __future__ import annotations

from govern.errors import UsageError

KIND = "adapter"


def record(store, manifest: dict, folder: str) -> str:
    """Store the manifest (with where the adapter was written) and log it in the ledger."""
    digest = store.put_result(KIND, manifest["snapshot"]["id"], manifest["adapter"]["weights_digest"],
                              manifest, command="train")
    store.audit("train adapter", {"snapshot": manifest["snapshot"]["id"],
                                  "attestation": (manifest.get("attestation") or {}).get("digest"),
                                  "base_model": manifest["base_model"]["digest"]},
                {"adapter": manifest["adapter"]["weights_digest"], "manifest": digest,
                 "folder": str(folder)})
    return digest


def list_adapters(store) -> list[dict]:
    out = []
    for row in store.list_results(KIND):
        m = store.get_json(row["digest"])
        out.append({"adapter": row["config"], "manifest": row["digest"], "created": row["created"],
                    "snapshot": m["snapshot"]["id"], "snapshot_name": m["snapshot"].get("name"),
                    "base_model": m["base_model"]["name"], "base_model_digest": m["base_model"]["digest"],
                    "attestation": (m.get("attestation") or {}).get("digest"), "task": m["task"]})
    return out


def find_by_weights(store, weights_digest: str) -> dict | None:
    rows = [r for r in store.list_results(KIND) if r["config"] == weights_digest]
    return rows[-1] if rows else None


def show_adapter(store, ref: str) -> dict:
    """REF is an adapter weights digest (or unambiguous prefix) or a manifest digest prefix."""
    rows = [r for r in store.list_results(KIND)
            if r["config"].startswith(ref) or r["digest"].startswith(ref)]
    if not rows:
        raise UsageError(f"no adapter {ref!r} in the store", hint="`govern adapter list` shows them")
    if len({r["config"] for r in rows}) > 1:
        raise UsageError(f"adapter prefix {ref!r} is ambiguous", hint="give more characters")
    return {"manifest_digest": rows[-1]["digest"], **store.get_json(rows[-1]["digest"])}
