"""Re-hashing every byte behind a snapshot; never trusts stored status."""
from __future__ import annotations


from govern.snapshot.create import record_digest, snapshot_id
from govern.snapshot.model import Snapshot, list_snapshots, resolve
from govern.store import Store


def verify_snapshot(store: Store, snap: Snapshot) -> list[str]:
    """Return problems ("object <digest>: hash mismatch", ...); empty when intact."""
    from govern.data.arrow import table_from_bytes
    problems: list[str] = []
    bad = store.objects.check(snap.manifest_digest)
    if bad:
        return [f"manifest object {snap.manifest_digest}: {bad}"]
    m = snap.manifest
    row = store.db.execute("SELECT count, parent, kind FROM snapshots WHERE id=?",
                           (snap.id,)).fetchone()
    if m.get("id") != snap.id:
        problems.append(f"catalog row for {snap.id[:12]}: manifest names id {m.get('id')}")
    if row and (row[0] != m.get("count") or row[1] != m.get("parent") or row[2] != m.get("kind")):
        problems.append(f"catalog row for {snap.id[:12]}: count/parent/kind differ from the "
                        f"manifest {snap.manifest_digest}")
    digests: list[str] = []
    for shard in m["shards"]:
        bad = store.objects.check(shard["digest"])
        if bad:
            problems.append(f"shard object {shard['digest']}: {bad}")
            continue
        table = table_from_bytes(store.objects.path(shard["digest"]).read_bytes())
        recs, digs = table.column("record").to_pylist(), table.column("digest").to_pylist()
        for rec, dig in zip(recs, digs):
            if record_digest(rec) != dig:
                problems.append(f"shard object {shard['digest']}: record digest mismatch")
                break
        digests.extend(digs)
    if problems:
        return problems
    if len(digests) != m["count"]:
        problems.append(f"snapshot {snap.id[:12]}: holds {len(digests)} records, manifest says "
                        f"{m['count']}")
    if snapshot_id(digests) != snap.id:
        problems.append(f"snapshot {snap.id[:12]}: records do not hash to its id")
    return problems


def verify_all(store: Store, ref: str | None = None) -> dict[str, list[str]]:
    snaps = [resolve(store, ref)] if ref else [
        Snapshot(store, r["id"], r["manifest"], r["name"], r["kind"]) for r in list_snapshots(store)]
    return {s.id: verify_snapshot(store, s) for s in snaps}
