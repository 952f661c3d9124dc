"""Re-hashing every byte behind a snapshot; never trusts stored status.

`verify_snapshot` re-hashes every record (`govern verify`). `require_intact` is the cheap check
the gate, scan caches and attestations run before they trust or sign anything: the manifest and
shard objects re-hash to their names and the shards' record digests hash to the snapshot id.
It is cached per process for as long as those files are unchanged on disk.
"""
from __future__ import annotations

import hashlib
import os

from govern.errors import IntegrityError
from govern.snapshot.create import record_digest, snapshot_id
from govern.snapshot.model import Snapshot, list_snapshots, resolve
from govern.store import Store

_INTACT: set[tuple] = set()


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


def _stat_key(store: Store, digests: list[str]) -> tuple:
    out = []
    for d in digests:
        try:
            st = os.stat(store.objects.path(d))
            out.append((d, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        except FileNotFoundError:
            out.append((d, None))
    return tuple(out)


def _digest_lines(column) -> tuple[int, bytes]:
    """(count, b"<digest>\\n" * count) from a shard's digest column, without Python strings:
    every digest is 64 hex characters, so the column's data buffer is the digests end to end."""
    import numpy as np
    n, parts = 0, []
    for chunk in column.chunks:
        offsets = np.frombuffer(chunk.buffers()[1], np.int32, len(chunk) + 1, chunk.offset * 4)
        if len(chunk) and not (np.diff(offsets) == 64).all():
            return -1, b""  # not all 64 characters: cannot be the snapshot's digests
        data = np.frombuffer(chunk.buffers()[2], np.uint8)[offsets[0]:offsets[-1]]
        rows = data.reshape(-1, 64)
        parts.append(np.hstack([rows, np.full((len(rows), 1), 10, np.uint8)]).tobytes())
        n += len(chunk)
    return n, b"".join(parts)


def quick_problems(store: Store, snap: Snapshot) -> list[str]:
    """Manifest and shard objects re-hashed, the shards' record digests hashed to the id."""
    from govern.data.arrow import table_from_bytes
    bad = store.objects.check(snap.manifest_digest)
    if bad:
        return [f"manifest object {snap.manifest_digest}: {bad}"]
    m = store.get_json(snap.manifest_digest)
    if m.get("id") != snap.id:
        return [f"manifest object {snap.manifest_digest} names snapshot {str(m.get('id'))[:12]}"]
    count, ident = 0, hashlib.sha256()  # snapshot_id: sha256 over "<digest>\n" in order
    for shard in m["shards"]:
        path = store.objects.path(shard["digest"])
        if not path.exists():
            return [f"shard object {shard['digest']}: missing"]
        data = path.read_bytes()  # hashed and parsed from the same bytes
        if hashlib.sha256(data).hexdigest() != shard["digest"]:
            return [f"shard object {shard['digest']}: hash mismatch"]
        column = table_from_bytes(data, columns=["digest"]).column("digest")
        n, lines = _digest_lines(column)
        if n < 0:
            return [f"shard object {shard['digest']}: a record digest is malformed"]
        count += n
        ident.update(lines)
    if count != m["count"] or ident.hexdigest() != snap.id:
        return [f"the shards of manifest {snap.manifest_digest} do not hash to the snapshot id"]
    return []


def require_intact(store: Store, snap: Snapshot | str) -> None:
    """IntegrityError (exit 3) naming the damaged object unless the snapshot's bytes re-hash."""
    if isinstance(snap, str):
        row = store.db.execute("SELECT id, manifest, name, kind FROM snapshots WHERE id=?",
                               (snap,)).fetchone()
        if row is None:
            raise IntegrityError(f"no snapshot {snap[:12]} in the store")
        snap = Snapshot(store, *row)
    try:
        shards = [s["digest"] for s in snap.manifest["shards"]]
    except (IntegrityError, KeyError, TypeError, ValueError):
        shards = []
    key = (str(store.root.resolve()), snap.id, _stat_key(store, [snap.manifest_digest, *shards]))
    if key in _INTACT:
        return
    problems = quick_problems(store, snap)
    if problems:
        raise IntegrityError(f"snapshot {snap.label()} is damaged: {problems[0]}",
                             hint=f"`govern verify {snap.id[:12]}` re-hashes every record; "
                                  "restore the named object from a backup")
    _INTACT.add(key)
