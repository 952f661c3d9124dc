"""The audit ledger: an append-only, hash-chained table of everything that changed the store.

Each entry's hash covers the previous entry's hash and the entry itself, so editing, deleting
or reordering any entry breaks the chain. Dropping the newest entries (or all of them) is
caught by the head: the last entry's number and hash, kept in `ledger.head` beside the database
as a checkpoint signed with the store's key (written under the write lock, just before each
commit), and also inside every result object and attestation written after it.
"""
from __future__ import annotations

import base64
import getpass
import json
import os
import sqlite3
import time
from pathlib import Path

from govern.digests import canonical_json, sha256_text

GENESIS = "0" * 64
FORMAT = 2  # entries with this format are always followed by a signed head


def _who() -> str:
    try:
        return os.environ.get("GOVERN_ACTOR") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return f"uid:{os.getuid()}"


def entry_hash(prev: str, entry: dict) -> str:
    return sha256_text(prev + canonical_json(entry))


def last(db: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the newest entry; (0, GENESIS) for an empty ledger."""
    row = db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(db: sqlite3.Connection, command: str, inputs: dict | None = None,
           outputs: dict | None = None) -> dict:
    """Append one entry inside the caller's transaction (the caller writes the head)."""
    seq, prev = last(db)
    seq += 1
    entry = {"seq": seq, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "actor": _who(), "command": command, "format": FORMAT,
             "inputs": inputs or {}, "outputs": outputs or {}}
    h = entry_hash(prev, entry)
    db.execute("INSERT INTO ledger(seq, entry, prev, hash) VALUES (?,?,?,?)",
               (seq, canonical_json(entry), prev, h))
    return {**entry, "hash": h}


def head_message(seq: int, h: str) -> bytes:
    return f"govern-ledger-head:{seq}:{h}".encode()


def write_head(path: Path, seq: int, h: str, signer) -> None:
    """signer: (keyid, private key). Temp file + rename: a reader sees the old or the new head."""
    keyid, key = signer
    sig = base64.b64encode(key.sign(head_message(seq, h))).decode("ascii")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(canonical_json({"seq": seq, "hash": h, "keyid": keyid, "sig": sig}) + "\n")
    os.replace(tmp, path)


def read_head(path: Path) -> dict | None:
    """The head file as {"seq", "hash", "keyid"?, "sig"?}; the older "SEQ HASH" form unsigned."""
    if not path.exists():
        return None
    text = path.read_text().strip()
    try:
        if text.startswith("{"):
            head = json.loads(text)
            return {"seq": int(head["seq"]), "hash": str(head["hash"]),
                    "keyid": head.get("keyid"), "sig": head.get("sig")}
        seq_s, h = text.split()
        return {"seq": int(seq_s), "hash": h, "keyid": None, "sig": None}
    except (ValueError, KeyError, TypeError):
        return {"seq": -1, "hash": "", "keyid": None, "sig": None, "unreadable": True}


def _head_problems(head: dict | None, seq: int, h: str, signed_era: bool, keys: dict) -> list[str]:
    if head is None:
        return ["ledger head file is missing" if seq else
                "the ledger is empty and has no head: every store records its `init`"]
    if head.get("unreadable"):
        return ["ledger head file is unreadable"]
    problems = []
    if head["sig"] is None:
        if signed_era:
            problems.append("ledger head is not signed")
    elif keys.get(head["keyid"]) is None:
        problems.append(f"ledger head is signed by an unknown key {str(head['keyid'])[:80]}")
    elif not _signature_ok(keys[head["keyid"]], head):
        problems.append("ledger head's signature does not match it (forged or edited)")
    if head["seq"] != seq or head["hash"] != h:
        problems.append(f"ledger head is entry {head['seq']} but the table ends at entry {seq}: "
                        "entries were removed or replaced")
    return problems


def _signature_ok(pub, head: dict) -> bool:
    from cryptography.exceptions import InvalidSignature
    try:
        pub.verify(base64.b64decode(str(head["sig"]), validate=True),
                   head_message(head["seq"], head["hash"]))
        return True
    except (InvalidSignature, ValueError):
        return False


def entries(db: sqlite3.Connection) -> list[dict]:
    rows = db.execute("SELECT seq, entry, prev, hash FROM ledger ORDER BY seq").fetchall()
    return [{**json.loads(e), "prev": p, "hash": h, "_rowseq": s} for s, e, p, h in rows]


def verify(db: sqlite3.Connection, head_file: Path, keys: dict) -> list[str]:
    """Return the problems found; an empty list means the chain is intact and not cut.

    keys: key id -> Ed25519 public key trusted for the signed head."""
    problems, prev, expected_seq, signed_era = [], GENESIS, 1, False
    for s, raw, stored_prev, stored_hash in db.execute(
            "SELECT seq, entry, prev, hash FROM ledger ORDER BY seq"):
        entry = json.loads(raw)
        signed_era = signed_era or entry.get("format") == FORMAT
        if s != expected_seq or entry.get("seq") != s:
            problems.append(f"entry {s}: out of sequence (expected {expected_seq}); "
                            "an entry was removed or reordered")
        if stored_prev != prev:
            problems.append(f"entry {s}: does not chain to the entry before it")
        if entry_hash(stored_prev, entry) != stored_hash:
            problems.append(f"entry {s}: content was altered (hash mismatch)")
        prev, expected_seq = stored_hash, s + 1
    problems += _head_problems(read_head(head_file), expected_seq - 1, prev, signed_era, keys)
    return problems


def recorded_head_problems(db: sqlite3.Connection, heads: list[tuple[str, dict]]) -> list[str]:
    """Heads recorded inside results and attestations ({"seq", "hash"}) must still be in the
    chain: a ledger cut and grown again no longer holds them."""
    problems = []
    for where, head in heads:
        seq, h = head.get("seq"), head.get("hash")
        if not seq:
            continue
        row = db.execute("SELECT hash FROM ledger WHERE seq=?", (seq,)).fetchone()
        if row is None or row[0] != h:
            problems.append(f"{where} was written after ledger entry {seq}, which the ledger "
                            "no longer holds: entries were removed or replaced")
    return problems
