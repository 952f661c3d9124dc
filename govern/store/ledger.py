"""The audit ledger: an append-only, hash-chained table of everything that changed the store.

Each entry's hash covers the previous entry's hash and the entry itself, so editing, deleting
or reordering any entry breaks the chain; the head hash is also kept in a file beside the
database so that dropping the newest entries is caught too.
"""
from __future__ import annotations

import getpass
import json
import os
import sqlite3
import time
from pathlib import Path

from govern.digests import canonical_json, sha256_text

GENESIS = "0" * 64


def _who() -> str:
    try:
        return os.environ.get("GOVERN_ACTOR") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return f"uid:{os.getuid()}"


def entry_hash(prev: str, entry: dict) -> str:
    return sha256_text(prev + canonical_json(entry))


def append(db: sqlite3.Connection, head_file: Path, command: str,
           inputs: dict | None = None, outputs: dict | None = None) -> dict:
    """Append one entry inside the caller's transaction."""
    row = db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    entry = {"seq": seq, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "actor": _who(), "command": command,
             "inputs": inputs or {}, "outputs": outputs or {}}
    h = entry_hash(prev, entry)
    db.execute("INSERT INTO ledger(seq, entry, prev, hash) VALUES (?,?,?,?)",
               (seq, canonical_json(entry), prev, h))
    tmp = head_file.with_suffix(".tmp")
    tmp.write_text(f"{seq} {h}\n")
    os.replace(tmp, head_file)
    return {**entry, "hash": h}


def entries(db: sqlite3.Connection) -> list[dict]:
    rows = db.execute("SELECT seq, entry, prev, hash FROM ledger ORDER BY seq").fetchall()
    return [{**json.loads(e), "prev": p, "hash": h, "_rowseq": s} for s, e, p, h in rows]


def verify(db: sqlite3.Connection, head_file: Path) -> list[str]:
    """Return the problems found; an empty list means the chain is intact."""
    problems, prev, expected_seq = [], GENESIS, 1
    for s, raw, stored_prev, stored_hash in db.execute(
            "SELECT seq, entry, prev, hash FROM ledger ORDER BY seq"):
        entry = json.loads(raw)
        if s != expected_seq or entry.get("seq") != s:
            problems.append(f"entry {s}: out of sequence (expected {expected_seq}); "
                            "an entry was removed or reordered")
        if stored_prev != prev:
            problems.append(f"entry {s}: does not chain to the entry before it")
        if entry_hash(stored_prev, entry) != stored_hash:
            problems.append(f"entry {s}: content was altered (hash mismatch)")
        prev, expected_seq = stored_hash, s + 1
    if head_file.exists():
        seq_s, head = head_file.read_text().split()
        if int(seq_s) != expected_seq - 1 or head != prev:
            problems.append(f"ledger head is entry {seq_s} but the table ends at entry "
                            f"{expected_seq - 1}: entries were removed or replaced")
    elif expected_seq > 1:
        problems.append("ledger head file is missing")
    return problems
