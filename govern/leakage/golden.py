"""Golden sets: stored as snapshots of kind "golden", read back as items with ids and texts.

A golden item's id is its `id` field when present, else its 0-based row number. Each item
gives one or more golden texts (one per selected string field); texts shorter than the
policy's `min_words` (labels, one-word answers) are not compared.
"""
from __future__ import annotations

from dataclasses import dataclass

from govern.data.text import texts
from govern.leakage.normalize import words
from govern.snapshot import Snapshot, list_snapshots, resolve, snapshot_files
from govern.snapshot.target import Target
from govern.store import Store


@dataclass(frozen=True)
class GoldenItem:
    set_id: str
    set_name: str
    id: str


@dataclass(frozen=True)
class GoldenText:
    item: int          # index into GoldenIndex.items
    field: str
    text: str
    words: tuple[str, ...]


def item_id(record: dict, row: int) -> str:
    value = record.get("id") if isinstance(record, dict) else None
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else str(row)


def golden_set_id(golden) -> str:
    """The golden snapshot id, or a digest of the ad hoc golden files."""
    from govern.snapshot.target import target_digest
    if isinstance(golden, Snapshot):
        return golden.id
    return target_digest(golden)


def golden_set_name(golden) -> str:
    if isinstance(golden, Snapshot):
        return golden.name or golden.id[:12]
    return golden.label


def read_golden(goldens: list, fields: list[str] | None, min_words: int
                ) -> tuple[list[GoldenItem], list[GoldenText], list[dict]]:
    """Items, their comparable texts, and a summary per golden set ({id, name, count})."""
    items, gtexts, sets = [], [], []
    for g in goldens:
        sid, name = golden_set_id(g), golden_set_name(g)
        n = 0
        for ref in g.iter_records():
            items.append(GoldenItem(sid, name, item_id(ref.record, ref.row)))
            for t in texts(ref.record, fields or None, skip_ids=True):
                ws = tuple(words(t.text))
                if len(ws) >= min_words:
                    gtexts.append(GoldenText(len(items) - 1, t.field, t.text, ws))
            n += 1
        sets.append({"id": sid, "name": name, "count": n})
    return items, gtexts, sets


def add_golden(store: Store, paths: list[str], name: str):
    """Store golden files as a snapshot of kind "golden" (same records, same id)."""
    return snapshot_files(store, paths, name=name, kind="golden")


def list_golden(store: Store) -> list[dict]:
    return list_snapshots(store, kind="golden")


def open_goldens(store: Store | None, refs: list[str]) -> list:
    """Each GOLDEN is a registered golden name/REF, or golden files read ad hoc."""
    from pathlib import Path
    from govern.snapshot.target import open_target
    out = []
    for ref in refs:
        if store is not None and not Path(ref).exists() and not any(c in ref for c in "*?["):
            out.append(resolve(store, ref, kind="golden"))
        else:
            out.append(open_target(store, [ref]))
    return out


def as_target(golden) -> Target:
    return Target(golden.label(), snapshot=golden) if isinstance(golden, Snapshot) else golden
