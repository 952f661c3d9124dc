"""Which golden items leaked into a training snapshot, from the leakage scan's stored results."""
from __future__ import annotations

import json

from govern.store import Store


def leaked_golden_ids(store: Store, snapshot_id: str | None) -> dict | None:
    """{"result": digest, "leaked": sorted golden ids} from the latest leakage scan of the
    snapshot, or None when the snapshot was never scanned for leakage."""
    if not snapshot_id:
        return None
    results = store.list_results("leakage", snapshot_id)
    if not results:
        return None
    latest = results[-1]
    payload = store.read_result(latest)  # names this snapshot, else exit 3
    if payload is None:  # an older, unbound result: re-run the leakage scan
        return None
    leaked = set()
    obj = payload.get("findings_object")
    if obj:
        for line in store.objects.get_bytes(obj).decode("utf-8").splitlines():
            if line.strip():
                golden = json.loads(line).get("golden")
                if golden is not None:
                    leaked.add(str(golden))
    return {"result": latest["digest"], "leaked": sorted(leaked)}


def split_items(items: list[dict], leaked: list[str]) -> tuple[list[dict], list[dict]]:
    """(clean, leaked) per-item results."""
    bad = set(leaked)
    return [i for i in items if str(i["id"]) not in bad], [i for i in items if str(i["id"]) in bad]
