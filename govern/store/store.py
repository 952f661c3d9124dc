"""Opening and creating a store folder: objects/, catalog.sqlite (WAL), keys/, logs/.

Metadata rows are written in one short transaction after every object they name is durable,
so a killed writer never leaves a partial snapshot visible.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Iterator

from govern.digests import canonical_json
from govern.errors import ConflictError, IntegrityError, UsageError
from govern.store import keys, ledger, results
from govern.store.objects import ObjectStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT UNIQUE, parent TEXT,
  manifest TEXT NOT NULL, count INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tags(tag TEXT PRIMARY KEY, snapshot TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results(
  kind TEXT NOT NULL, subject TEXT NOT NULL, config TEXT NOT NULL, digest TEXT NOT NULL,
  created TEXT NOT NULL, PRIMARY KEY(kind, subject, config));
CREATE TABLE IF NOT EXISTS cache(
  namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(namespace, key));
CREATE TABLE IF NOT EXISTS ledger(
  seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
"""


def default_store_path() -> Path:
    return Path(os.environ.get("GOVERN_STORE") or ".govern")


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    """A govern store folder. Cheap to construct; opens SQLite on first use."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.objects = ObjectStore(self.root / "objects")
        self._db: sqlite3.Connection | None = None
        self._pending_head: tuple[int, str] | None = None
        self._signer = None
        self._ledger_ok: tuple | None = None

    # -- catalog -------------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.root / "catalog.sqlite", timeout=30,
                                 isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=30000")
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise ConflictError(f"the store at {self.root} is busy ({e})",
                                hint="another govern process is writing; retry") from e
        self._pending_head = None
        try:
            yield self.db
            if self._pending_head:  # under the write lock: heads are written in commit order
                ledger.write_head(self.ledger_head, *self._pending_head, self._head_signer())
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._pending_head = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- audit ledger --------------------------------------------------------------------
    @property
    def ledger_head(self) -> Path:
        return self.root / "ledger.head"

    def log(self, db: sqlite3.Connection, command: str, inputs: dict | None = None,
            outputs: dict | None = None) -> dict:
        """Append to the audit ledger inside an open transaction; the signed head is written
        just before the transaction commits."""
        entry = ledger.append(db, command, inputs, outputs)
        self._pending_head = (entry["seq"], entry["hash"])
        return entry

    def _head_signer(self):
        """(key id, private key) signing the ledger head: the store's key, else
        GOVERN_SIGNING_KEY's."""
        if self._signer is None:
            from govern.gate import signing
            path = self.root / keys.SIGNING
            key = signing.load_private_key(path if path.exists()
                                           else signing.signing_key_path(self))
            self._signer = (signing.key_id(key.public_key()), key)
        return self._signer

    def ledger_problems(self) -> list[str]:
        """Problems of the chain and its signed head. A writer renames the head just before
        its commit, so a reader can see the new head with the old table for an instant: a
        mismatch is read again before it counts."""
        from govern.gate.signing import trusted_keys
        keys_ = trusted_keys(self)
        for attempt in range(3):
            problems = ledger.verify(self.db, self.ledger_head, keys_)
            if not problems:
                break
            time.sleep(0.1 * (attempt + 1))
        return problems

    def require_ledger(self) -> None:
        """For commands that sign or train: refuse (exit 3) a ledger that does not verify.
        Checked once per process while the ledger's end stays the same."""
        state = (ledger.last(self.db), ledger.read_head(self.ledger_head))
        if self._ledger_ok == state:
            return
        problems = self.ledger_problems()
        if problems:
            raise IntegrityError(f"the audit ledger does not verify: {problems[0]}"
                                 + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                                 hint="`govern audit verify` lists the problems; restore the "
                                      "store from a backup")
        self._ledger_ok = state

    def audit(self, command: str, inputs: dict | None = None, outputs: dict | None = None) -> dict:
        with self.transaction() as db:
            return self.log(db, command, inputs, outputs)

    # -- JSON artifacts and results --------------------------------------------------------
    def put_json(self, obj) -> str:
        return self.objects.put_bytes(canonical_json(obj).encode("utf-8"))

    def get_json(self, digest: str):
        return json.loads(self.objects.get_bytes(digest))

    def put_result(self, kind: str, subject: str, config: str, payload: dict,
                   command: str | None = None) -> str:
        """Store a result artifact under (kind, subject, config) and log it. The stored object
        names (kind, subject, config) and the ledger head itself (govern.store.results)."""
        digest = self.put_json(results.bind(kind, subject, config, payload, ledger.last(self.db)))
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?)",
                       (kind, subject, config, digest, now()))
            self.log(db, command or f"result {kind}", {"subject": subject, "config": config},
                     {kind: digest})
        return digest

    def get_result(self, kind: str, subject: str, config: str) -> tuple[str, dict] | None:
        """The evidence stored under (kind, subject, config), checked as read_result does;
        None when there is none, or only an unbound one from an older govern."""
        row = self.db.execute("SELECT digest FROM results WHERE kind=? AND subject=? AND config=?",
                              (kind, subject, config)).fetchone()
        if row is None:
            return None
        payload = self.read_result({"kind": kind, "subject": subject, "config": config,
                                    "digest": row[0]})
        return (row[0], payload) if payload is not None else None

    def read_result(self, row: dict) -> dict | None:
        """A result row's object as evidence: it must hash to its digest and name the row's
        (kind, subject, config), else IntegrityError (exit 3); an unbound result from an older
        govern is no evidence (None: re-run the step). Evidence about a snapshot is only
        given while the snapshot's manifest and shards re-hash (checked once per process)."""
        payload = results.check(row, self.get_json(row["digest"]))
        if payload is not None and self.db.execute(
                "SELECT 1 FROM snapshots WHERE id=?", (row["subject"],)).fetchone():
            from govern.snapshot.verify import require_intact
            require_intact(self, row["subject"])
        return payload

    def list_results(self, kind: str | None = None, subject: str | None = None) -> list[dict]:
        q, args = "SELECT kind, subject, config, digest, created FROM results WHERE 1=1", []
        if kind:
            q, args = q + " AND kind=?", args + [kind]
        if subject:
            q, args = q + " AND subject=?", args + [subject]
        rows = self.db.execute(q + " ORDER BY created, rowid", args).fetchall()
        return [dict(zip(("kind", "subject", "config", "digest", "created"), r)) for r in rows]

    # -- small key/value cache (e.g. per-record scan results) ------------------------------
    def cache_get_many(self, namespace: str, keys_: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(keys_), 500):
            chunk = keys_[i:i + 500]
            q = f"SELECT key, value FROM cache WHERE namespace=? AND key IN ({','.join('?' * len(chunk))})"
            out.update(self.db.execute(q, [namespace, *chunk]).fetchall())
        return out

    def cache_put_many(self, namespace: str, items: dict[str, str]) -> None:
        """Cache rows are derived data, so their commit skips the fsync (synchronous=NORMAL:
        in WAL mode the database stays consistent; a power cut can only lose cache rows, which
        are then recomputed). The next FULL commit makes them durable too."""
        self.db.execute("PRAGMA synchronous=NORMAL")
        try:
            with self.transaction() as db:
                db.executemany("INSERT OR REPLACE INTO cache VALUES (?,?,?)",
                               [(namespace, k, v) for k, v in items.items()])
        finally:
            self.db.execute("PRAGMA synchronous=FULL")

    # -- keys --------------------------------------------------------------------------
    def fingerprint_key(self) -> bytes:
        return keys.fingerprint_key(self.root)

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"


def init_store(root: Path) -> tuple[Store, bool]:
    """Create a store (idempotent). Returns (store, created)."""
    root = Path(root)
    created = not (root / "catalog.sqlite").exists()
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    for sub in ("objects", "logs"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    keys.create_keys(root)
    store = Store(root)
    if created:
        store.audit("init", {}, {"store": str(root)})
    return store, created


def open_store(root: Path | None = None) -> Store:
    root = Path(root) if root else default_store_path()
    if not (root / "catalog.sqlite").exists():
        raise UsageError(f"no govern store at {root}",
                         hint="run `govern init` first, or pass --store / set GOVERN_STORE")
    if not (root / "objects").is_dir():
        raise IntegrityError(f"store at {root} has no objects folder")
    keys.warn_if_loose(root)
    return Store(root)
