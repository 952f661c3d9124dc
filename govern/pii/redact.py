"""Redaction: a child snapshot with PII and secrets removed by presidio-anonymizer.

Every finding whose action is not `allow` is removed: masked, replaced by `<TYPE>`, replaced by
a keyed pseudonym (the same value gets the same pseudonym everywhere; unlinkable without the
store's key), or its whole record is dropped. The child records its parent and the redaction
policy digest in its manifest; the same input and policy give the same snapshot id.
"""
from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from typing import Iterator

from govern.data.readers import SourceRecord
from govern.data.text import KEY_SUFFIX, get_path, set_path
from govern.digests import digest_json
from govern.errors import ScanError, UsageError
from govern.snapshot.create import CreateResult, create_snapshot
from govern.snapshot.target import Target

REDACT_ACTIONS = ("mask", "replace", "pseudonymize", "drop-record")


def redaction_digest(policy, action: str) -> str:
    from govern.pii.scan import config_digest
    return digest_json({"action": action, "scan": config_digest(policy), "format": 1})


def redact_snapshot(store, snapshot, policy, action: str | None = None,
                    workers: int | None = None, engine=None,
                    name: str | None = None) -> CreateResult:
    from govern.pii.scan import scan_target
    action = action or policy.section("pii")["redact_action"]
    if action not in REDACT_ACTIONS:
        raise UsageError(f"unknown redaction action {action!r}",
                         hint="one of " + ", ".join(REDACT_ACTIONS))
    scan = scan_target(store, Target(snapshot.label(), snapshot=snapshot), policy, workers,
                       engine=engine)
    if scan.summary["failed"]:
        raise ScanError(f"{scan.summary['failed']} record(s) could not be scanned; "
                        "refusing to write a child that may still hold PII")
    spans = defaultdict(lambda: defaultdict(list))  # row -> field -> [(start, end, type)]
    for f in scan.findings:
        if f.action != "allow":
            spans[f.row][f.field].append((f.start, f.end, f.type))
    operator = _Operator(action, store.fingerprint_key())
    stats = {"records": 0, "dropped": 0, "redacted": 0}
    records = _redacted(snapshot, spans, operator, stats)
    extra = {"redaction": {"action": action, "policy": redaction_digest(policy, action),
                           "policy_file": policy.digest, "scan": scan.digest,
                           "findings": scan.summary["findings_object"]}}
    result = create_snapshot(store, records, snapshot.manifest["sources"], parent=snapshot.id,
                             extra=extra, command="redact", name=name)
    result.quarantined = stats["dropped"]
    return result


def _redacted(snapshot, spans, operator, stats) -> Iterator[SourceRecord]:
    for rec in snapshot.iter_records():
        stats["records"] += 1
        fields = spans.get(rec.row)
        if fields and operator.action == "drop-record":
            stats["dropped"] += 1
            continue
        record = rec.record
        for path, hits in sorted((fields or {}).items(), key=_values_before_keys):
            value = get_path(record, path)
            # an identifier written as a number becomes null: a string would change its type
            set_path(record, path, None if isinstance(value, int) else operator.apply(value, hits))
            stats["redacted"] += len(hits)
        yield SourceRecord(record, rec.file, rec.line)


def _values_before_keys(item) -> tuple:
    """Values first, then renamed keys deepest first: a rename never breaks a later path."""
    path = item[0]
    return (KEY_SUFFIX.search(path) is not None, -path.count("."), path)


class _Operator:
    """presidio-anonymizer with one operator config per entity type."""

    def __init__(self, action: str, key: bytes):
        self.action, self.key = action, key
        self._engine = None

    def pseudonym(self, entity: str, value: str) -> str:
        tag = hmac.new(self.key, f"{entity}\0{value}".encode(), hashlib.sha256).hexdigest()[:10]
        return f"<{entity}_{tag}>"

    def _config(self, entity: str):
        from presidio_anonymizer.entities import OperatorConfig
        if self.action == "mask":
            return OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 10**6,
                                           "from_end": False})
        if self.action == "pseudonymize":
            return OperatorConfig("custom", {"lambda": lambda v, e=entity: self.pseudonym(e, v)})
        return OperatorConfig("replace", {"new_value": f"<{entity}>"})

    def apply(self, text: str, hits: list[tuple[int, int, str]]) -> str:
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import RecognizerResult
        if self._engine is None:
            self._engine = AnonymizerEngine()
        results = [RecognizerResult(t, s, e, 1.0) for s, e, t in hits]
        operators = {t: self._config(t) for _, _, t in hits}
        return self._engine.anonymize(text, results, operators).text
