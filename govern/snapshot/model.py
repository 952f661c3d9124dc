"""Reading snapshots back: resolving REFs, the manifest, and streaming records in order."""
from __future__ import annotations

import json
import re
from typing import Iterator

from govern.errors import NameTaken, UsageError
from govern.store import Store

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_name(name: str, what: str = "name") -> str:
    if not NAME_RE.match(name) or ".." in name:
        raise UsageError(f"invalid {what} {name!r}",
                         hint="use letters, digits, '.', '_' and '-' (no '/', no '..'), "
                              "starting with a letter or digit")
    return name


class RecordRef:
    """One record with where it sits: 0-based row in the snapshot, source file and line.

    `record` is parsed from `raw` (its canonical JSON) on first use when not given: a rescan
    that finds most records in its cache never parses them."""
    __slots__ = ("row", "_record", "digest", "file", "line", "raw")

    def __init__(self, row: int, record: dict | None, digest: str, file: str, line: int,
                 raw: str = ""):
        self.row, self._record, self.digest = row, record, digest
        self.file, self.line, self.raw = file, line, raw

    @property
    def record(self) -> dict:
        if self._record is None:
            self._record = json.loads(self.raw)
        return self._record


class Snapshot:
    def __init__(self, store: Store, id: str, manifest_digest: str, name: str | None = None,
                 kind: str = "data"):
        self.store, self.id, self.manifest_digest = store, id, manifest_digest
        self.name, self.kind = name, kind
        self._manifest: dict | None = None

    @property
    def manifest(self) -> dict:
        if self._manifest is None:
            self._manifest = self.store.get_json(self.manifest_digest)
        return self._manifest

    @property
    def count(self) -> int:
        return self.manifest["count"]

    @property
    def layout(self) -> str:
        return self.manifest.get("layout", "other")

    def label(self) -> str:
        return f"{self.name} ({self.id[:12]})" if self.name else self.id[:12]

    def iter_raw(self) -> Iterator[tuple[int, str, str, str, int]]:
        """(row, canonical json, digest, file, line) for every record in order."""
        from govern.data.arrow import table_from_bytes
        files = [s["path"] for s in self.manifest["sources"]]
        row = 0
        for shard in self.manifest["shards"]:
            data = self.store.objects.get_bytes(shard["digest"])
            table = table_from_bytes(data)
            recs, digs = table.column("record").to_pylist(), table.column("digest").to_pylist()
            srcs, lines = table.column("source").to_pylist(), table.column("line").to_pylist()
            for rec, dig, src, line in zip(recs, digs, srcs, lines):
                yield row, rec, dig, files[src], line
                row += 1

    def iter_records(self) -> Iterator[RecordRef]:
        for row, raw, dig, file, line in self.iter_raw():
            yield RecordRef(row, None, dig, file, line, raw)


def _row_to_snapshot(store: Store, row) -> Snapshot:
    return Snapshot(store, row[0], row[1], row[2], row[3])


def resolve(store: Store, ref: str, kind: str | None = None) -> Snapshot:
    """REF is an id, an unambiguous id prefix, a name or a tag."""
    db = store.db
    q = "SELECT id, manifest, name, kind FROM snapshots WHERE "
    row = db.execute(q + "name=?", (ref,)).fetchone()
    if row is None:
        tag = db.execute("SELECT snapshot FROM tags WHERE tag=?", (ref,)).fetchone()
        if tag:
            row = db.execute(q + "id=?", (tag[0],)).fetchone()
    if row is None and re.fullmatch(r"[0-9a-f]{4,64}", ref):
        rows = db.execute(q + "id LIKE ?", (ref + "%",)).fetchall()
        if len(rows) > 1:
            raise UsageError(f"snapshot prefix {ref!r} is ambiguous ({len(rows)} matches)",
                             hint="give more characters of the id")
        row = rows[0] if rows else None
    if row is None:
        raise UsageError(f"no snapshot named, tagged or with id {ref!r}",
                         hint="`govern snapshot list` shows what the store holds")
    snap = _row_to_snapshot(store, row)
    if kind and snap.kind != kind:
        raise UsageError(f"{ref!r} is a {snap.kind} snapshot, not {kind}")
    return snap


def list_snapshots(store: Store, kind: str | None = None) -> list[dict]:
    q = "SELECT id, manifest, name, kind, parent, count, created FROM snapshots"
    rows = store.db.execute(q + (" WHERE kind=?" if kind else "") + " ORDER BY created, rowid",
                            (kind,) if kind else ()).fetchall()
    tags: dict[str, list[str]] = {}
    for t, s in store.db.execute("SELECT tag, snapshot FROM tags ORDER BY tag"):
        tags.setdefault(s, []).append(t)
    return [{"id": r[0], "manifest": r[1], "name": r[2], "kind": r[3], "parent": r[4],
             "count": r[5], "created": r[6], "tags": tags.get(r[0], [])} for r in rows]


def name_owner(db, name: str) -> tuple[str, str] | None:
    """("name" | "tag", snapshot id) for a name already in use; call inside the transaction
    that decides it, so two writers never both get the same name."""
    row = db.execute("SELECT id FROM snapshots WHERE name=?", (name,)).fetchone()
    if row:
        return "name", row[0]
    row = db.execute("SELECT snapshot FROM tags WHERE tag=?", (name,)).fetchone()
    return ("tag", row[0]) if row else None


def tag(store: Store, ref: str, name: str, force: bool = False) -> Snapshot:
    """Tag a snapshot; moving an existing tag needs force and is recorded in the ledger."""
    snap = resolve(store, ref)
    check_name(name, "tag")
    with store.transaction() as db:
        owner = name_owner(db, name)
        if owner and owner[1] == snap.id:
            return snap
        if owner and (owner[0] == "name" or not force):
            raise NameTaken(f"name taken: {name!r} is already the {owner[0]} of snapshot "
                            f"{owner[1][:12]}",
                            hint="a snapshot's name never moves; pass --force to move a tag"
                            if owner[0] == "tag" else "choose another tag")
        db.execute("INSERT OR REPLACE INTO tags VALUES (?,?)", (name, snap.id))
        store.log(db, "snapshot tag", {"snapshot": snap.id,
                                       **({"moved_from": owner[1]} if owner else {})},
                  {"tag": name})
    return snap
