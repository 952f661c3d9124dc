"""The data card of a snapshot: sources with sizes and hashes, lineage, counts, layout, and the
descriptive fields a reviewer asks about (languages, date range, licence, consent, labels).

Descriptive fields are read only from columns whose names say what they hold; their values
are categories and dates, never free text: long or many-word values are counted, not shown.
Every value and field name shown first passes through the same PII and secret detectors as the
records' text (the policy's settings); one with a finding is shown masked.
"""
from __future__ import annotations

import re
from collections import Counter

LANG = re.compile(r"^(lang|language|locale)$", re.I)
DATE = re.compile(r"^(date|created|created_at|timestamp|time|updated|updated_at|collected)$", re.I)
RIGHTS = re.compile(r"^(licen[cs]e|consent|consent_.*|terms|source_license)$", re.I)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
MAX_CATEGORY = 40  # longer values are free text: counted, never shown
MAX_VALUES = 50
MAX_WORDS = 4  # more words than this is free text, not a category


def _is_category(value: str) -> bool:
    return len(value) <= MAX_CATEGORY and len(value.split()) <= MAX_WORDS


def _categories(counter: Counter, screen) -> dict:
    shown: dict[str, int] = {}
    for k, n in counter.most_common(MAX_VALUES):
        if _is_category(str(k)):
            label = screen(str(k))
            shown[label] = shown.get(label, 0) + n
    hidden = sum(counter.values()) - sum(shown.values())
    return {"values": dict(sorted(shown.items())), "other": hidden}


def pii_screen(policy, values: set[str]):
    """A function value -> what a report may show: the value, or its mask when the policy's
    PII/secret detectors find anything in it (or cannot scan it)."""
    from govern.findings import mask
    from govern.pii.analyzer import analyzer_for
    from govern.pii.settings import detection_settings
    values = sorted(v for v in values if v)
    shown = {}
    if values:
        results = analyzer_for(detection_settings(policy)).analyze(values)
        for value, spans in zip(values, results):
            if isinstance(spans, str):  # the scan failed on it: never show it raw
                shown[value] = mask(value)
            elif spans:
                shown[value] = mask(value, spans[0][0])
    return lambda v: shown.get(v, v)


def describe_records(snapshot, policy) -> dict:
    """Languages, date range, licence/consent values and label counts, where present."""
    langs, rights, labels = Counter(), {}, Counter()
    days: dict[str, list[str]] = {}
    label_field = "label" if snapshot.layout == "classification" else None
    for ref in snapshot.iter_records():
        for key, value in ref.record.items():
            if isinstance(value, (dict, list)) or value is None:
                continue
            if LANG.match(key):
                langs[str(value)] += 1
            elif DATE.match(key) and isinstance(value, str) and ISO_DAY.match(value):
                span = days.setdefault(key, [value[:10], value[:10]])
                span[0], span[1] = min(span[0], value[:10]), max(span[1], value[:10])
            elif RIGHTS.match(key):
                rights.setdefault(key, Counter())[str(value)] += 1
            elif key == label_field:
                labels[str(value)] += 1
    counters = [langs, labels, *rights.values()]
    seen = {str(k) for c in counters for k, _ in c.most_common(MAX_VALUES) if _is_category(str(k))}
    screen = pii_screen(policy, seen | set(rights))
    return {"languages": _categories(langs, screen) if langs else None,
            "date_range": [{"field": screen(k), "from": v[0], "to": v[1]}
                           for k, v in sorted(days.items())] or None,
            "licence_consent": {screen(k): _categories(c, screen)
                                for k, c in sorted(rights.items())} or None,
            "labels": _categories(labels, screen) if labels else None}


def lineage(store, snapshot) -> list[dict]:
    """The snapshot's ancestors (root first), itself, then its direct children: each with the
    operation that made it and how many records it dropped."""
    from govern.snapshot.model import list_snapshots
    rows = {r["id"]: r for r in list_snapshots(store)}
    chain, sid = [], snapshot.id
    while sid and sid in rows and len(chain) < 100:
        chain.append(rows[sid])
        sid = rows[sid]["parent"]
    chain.reverse()
    children = [r for r in rows.values() if r["parent"] == snapshot.id]
    return [_node(store, r, rows, r["id"] == snapshot.id) for r in chain + children]


def _node(store, row: dict, rows: dict, current: bool) -> dict:
    manifest = store.get_json(row["manifest"])
    redaction = (manifest.get("extra") or {}).get("redaction")
    parent = rows.get(row["parent"]) if row["parent"] else None
    node = {"id": row["id"], "name": row["name"], "parent": row["parent"], "count": row["count"],
            "created": row["created"], "manifest": row["manifest"], "current": current,
            "operation": "snapshot create", "dropped": None, "redaction": None}
    if parent is not None:
        node["dropped"] = max(parent["count"] - row["count"], 0)
        node["operation"] = "derived (snapshot create --parent)"
    if redaction:
        node["operation"] = f"redact ({redaction.get('action')})"
        node["redaction"] = {"action": redaction.get("action"), "scan": redaction.get("scan"),
                             "findings": redaction.get("findings")}
    return node


def data_card(store, snapshot, policy) -> dict:
    m = snapshot.manifest
    fields = m.get("schema") or {}
    screen = pii_screen(policy, set(fields))
    return {"sources": [{"path": s["path"], "size": s["size"], "sha256": s["sha256"]}
                        for s in m["sources"]],
            "records": m["count"], "layout": snapshot.layout,
            "fields": dict(sorted((screen(k), v) for k, v in fields.items())),
            "lineage": lineage(store, snapshot), **describe_records(snapshot, policy)}
