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
from govern.store import keys, ledger
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
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

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
        """Append to the audit ledger inside an open transaction."""
        return ledger.append(db, self.ledger_head, command, inputs, outputs)

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
        """Store a result artifact under (kind, subject, config) and log it."""
        digest = self.put_json(payload)
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?)",
                       (kind, subject, config, digest, now()))
            self.log(db, command or f"result {kind}", {"subject": subject, "config": config},
                     {kind: digest})
        return digest

    def get_result(self, kind: str, subject: str, config: str) -> tuple[str, dict] | None:
        row = self.db.execute("SELECT digest FROM results WHERE kind=? AND subject=? AND config=?",
                              (kind, subject, config)).fetchone()
        return (row[0], self.get_json(row[0])) if row else None

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
    for sub in ("objects", "keys", "logs"):
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
    return Store(root)
