"""`verify --all` over the whole store: every object re-hashed, every result row checked
against the object it points at, and objects that nothing names (orphans) listed.

What names an object: the catalog (snapshot manifests, result rows), the audit ledger (every
digest it recorded, so results replaced by a re-run stay accounted for), and, transitively,
any JSON object already reached (manifests name shards, results name findings objects,
attestations name the results they used).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from govern.errors import IntegrityError
from govern.store import results

HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class StoreCheck:
    objects: int = 0
    damaged: dict[str, str] = field(default_factory=dict)       # digest -> problem
    results: list[str] = field(default_factory=list)             # row problems
    unbound: list[str] = field(default_factory=list)             # older results, not evidence
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damaged and not self.results


def _all_objects(store) -> list[str]:
    root = store.objects.root
    if not root.is_dir():
        return []
    return sorted(d.name + f.name for d in root.iterdir() if d.is_dir() and len(d.name) == 2
                  for f in d.iterdir() if HEX.match(d.name + f.name))


def _strings(obj, out: set) -> None:
    if isinstance(obj, str):
        if HEX.match(obj):
            out.add(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _strings(v, out)


def _named_by(store, digest: str) -> set:
    """Digests named inside one JSON object (an envelope's statement included)."""
    data = store.objects.path(digest).read_bytes()
    if not data[:1] in (b"{", b"["):
        return set()
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return set()
    out: set = set()
    _strings(obj, out)
    if results.is_envelope(obj):
        try:
            _strings(results.statement(obj), out)
        except IntegrityError:
            pass  # an unreadable envelope names nothing; its own check reports it
    return out


def check_store(store) -> StoreCheck:
    out = StoreCheck()
    present = _all_objects(store)
    out.objects = len(present)
    for digest in present:
        bad = store.objects.check(digest)
        if bad:
            out.damaged[digest] = bad
    roots: set = {r[0] for r in store.db.execute("SELECT manifest FROM snapshots")}
    rows = [dict(zip(("kind", "subject", "config", "digest"), r))
            for r in store.db.execute("SELECT kind, subject, config, digest FROM results")]
    roots |= {r["digest"] for r in rows}
    for digest in sorted(roots):
        if not store.objects.exists(digest):
            out.damaged[digest] = "missing (named by the catalog)"
    for row in rows:
        if row["digest"] in out.damaged:
            out.results.append(f"{row['kind']} result of {row['subject'][:12]}: object "
                               f"{row['digest']} is {out.damaged[row['digest']]}")
            continue
        try:
            if results.check(row, store.get_json(row["digest"])) is None:
                out.unbound.append(f"{row['kind']} result of {row['subject'][:12]} "
                                   f"({row['digest'][:12]})")
        except IntegrityError as e:
            out.results.append(e.message)
    for (raw,) in store.db.execute("SELECT entry FROM ledger"):
        _strings(json.loads(raw), roots)
    present_set = set(present)
    seen, todo = set(), [d for d in roots if d in present_set]
    while todo:
        d = todo.pop()
        if d in seen:
            continue
        seen.add(d)
        if d not in out.damaged:
            todo.extend(n for n in _named_by(store, d) if n in present_set and n not in seen)
    out.orphans = [d for d in present if d not in seen]
    return out


def ledger_crosscheck(store) -> list[str]:
    """What `audit verify` checks beyond the chain and its signed head: every result row is
    an entry of the ledger, and every ledger head recorded inside a result or attestation is
    still in the chain (so a ledger cut and grown again, or emptied, shows)."""
    from govern.store import ledger
    logged = set()
    for e in ledger.entries(store.db):
        inputs = e.get("inputs") or {}
        for kind, digest in (e.get("outputs") or {}).items():
            if isinstance(digest, str) and isinstance(inputs.get("subject"), str):
                logged.add((kind, inputs["subject"], inputs.get("config"), digest))
    problems, heads = [], []
    for kind, subject, config, digest in store.db.execute(
            "SELECT kind, subject, config, digest FROM results ORDER BY rowid"):
        if (kind, subject, config, digest) not in logged:
            problems.append(f"catalog row {kind} of {subject[:12]} -> {digest[:12]} is in no "
                            "ledger entry (entries removed, or the catalog was edited)")
        if store.objects.check(digest) is None:
            head = results.recorded_head(store.get_json(digest))
            if isinstance(head, dict):
                heads.append((f"{kind} result {digest[:12]}", head))
    return problems + ledger.recorded_head_problems(store.db, heads)
