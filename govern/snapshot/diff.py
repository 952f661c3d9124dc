"""Record-level differences between two snapshots, by record digest, with source lines."""
from __future__ import annotations

from collections import Counter

from govern.snapshot.model import Snapshot


def _key(rec: dict):
    for k in ("id", "_id", "uuid"):
        if k in rec and isinstance(rec[k], (str, int)):
            return rec[k]
    return None


def diff(a: Snapshot, b: Snapshot) -> dict:
    """added / removed / changed records; 'changed' pairs records that share an id field."""
    a_recs = list(a.iter_records())
    b_recs = list(b.iter_records())
    removed = _unpaired(a_recs, Counter(r.digest for r in b_recs))
    added = _unpaired(b_recs, Counter(r.digest for r in a_recs))
    by_key = {_key(r.record): r for r in removed if _key(r.record) is not None}
    changed, still_added = [], []
    for r in added:
        old = by_key.pop(_key(r.record), None) if _key(r.record) is not None else None
        (changed.append((old, r)) if old else still_added.append(r))
    changed_old = {id(o) for o, _ in changed}
    still_removed = [r for r in removed if id(r) not in changed_old]

    def loc(r):
        return {"row": r.row, "file": r.file, "line": r.line, "digest": r.digest}
    return {"a": a.id, "b": b.id,
            "added": [loc(r) for r in still_added],
            "removed": [loc(r) for r in still_removed],
            "changed": [{"from": loc(o), "to": loc(n),
                         "fields": sorted(k for k in set(o.record) | set(n.record)
                                          if o.record.get(k) != n.record.get(k))}
                        for o, n in changed],
            "unchanged": a.count - len(still_removed) - len(changed)}


def _unpaired(records: list, theirs: Counter) -> list:
    """Records with no partner left on the other side (each partner pairs once)."""
    out = []
    for r in records:
        if theirs[r.digest] > 0:
            theirs[r.digest] -= 1
        else:
            out.append(r)
    return out
