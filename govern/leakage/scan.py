"""`scan leakage` core: every method over a target against golden sets, with the self-test.

Golden sets are indexed once; the training side streams through the engine in batches
(lexical methods in worker processes, the semantic stage batched in this process on the
chosen device). A snapshot target's result is stored under (leakage, snapshot, config) and
reused when the same policy, golden snapshots and method versions are asked again.
"""
from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field

from govern.data.text import texts
from govern.digests import digest_json
from govern.engine import run as run_engine
from govern.engine.local import batched, default_workers
from govern.errors import UsageError
from govern.findings import Finding, jsonl_bytes, read_jsonl
from govern.leakage import findings as lf
from govern.leakage.detect import METHODS, LexicalJob, build_lexical, method_versions
from govern.leakage.golden import golden_set_id, read_golden
from govern.leakage.selftest import run_self_test

FORMAT = 1
BATCH = 256


@dataclass
class LeakageScan:
    findings: list[Finding]
    summary: dict
    digest: str | None = None
    reused: bool = False
    golden_duplicates: list = field(default_factory=list)


def effective_section(policy, methods: list[str] | None = None, fields: list[str] | None = None,
                      golden_fields: list[str] | None = None, self_test: bool = True) -> dict:
    """The [leakage] section with command-line choices applied (what the config digest names)."""
    sec = copy.deepcopy(policy.section("leakage"))
    if methods:
        unknown = sorted(set(methods) - set(METHODS))
        if unknown:
            raise UsageError(f"unknown leakage method(s): {', '.join(unknown)}",
                             hint=f"choose from {', '.join(METHODS)}")
        sec["methods"] = [m for m in METHODS if m in methods]
    sec["fields"] = list(fields) if fields else sec.get("fields", [])
    sec["golden_fields"] = list(golden_fields) if golden_fields else sec.get("golden_fields", [])
    sec["self_test"] = dict(sec.get("self_test", {}), enabled=bool(self_test))
    sec.pop("golden", None)  # the golden sets are named by snapshot id below, not by name
    return sec


def config_digest(policy, golden_ids: list[str], methods: list[str] | None = None,
                  fields=None, golden_fields=None, self_test: bool = True) -> str:
    """Effective [leakage] section + golden snapshot ids + method versions."""
    sec = effective_section(policy, methods, fields, golden_fields, self_test)
    return digest_json({"format": FORMAT, "leakage": sec, "golden": sorted(golden_ids),
                        "versions": method_versions()})


def _text_items(ref, fields: list[str]) -> list[tuple] | None:
    """(field, role, text) of a record; None when a chosen field is missing."""
    items = [(t.field, t.role, t.text) for t in texts(ref.record, fields or None, skip_ids=True)]
    if fields and not items:
        return None
    return items


def _stream(target, fields, meta, failed, hosts, progress):
    """Batches of (row, items); fills meta (row -> file, line, digest) as it goes."""
    def records():
        for ref in target.iter_records():
            items = _text_items(ref, fields)
            if items is None:
                failed.append(ref.row)
                continue
            meta[ref.row] = (ref.file, ref.line, ref.digest)
            if len(hosts) < 50 and items:
                hosts.append(items[0][2][:400])
            yield ref.row, items
    for batch in batched(records(), BATCH):
        if progress:
            progress(len(batch))
        yield batch


def _semantic(gtexts, sec, device, store, workers):
    """The semantic matcher; on a GPU its host work (windows, tokens) runs in worker processes
    so the device is kept busy, on the CPU the model itself needs the cores."""
    if "semantic" not in sec["methods"] or not gtexts:
        return None
    from govern.leakage.semantic import SemanticMatcher
    host = (workers or default_workers()) if device.startswith("cuda") else 1
    return SemanticMatcher(gtexts, sec["semantic"], device=device, store=store, workers=host)


def _scan_hits(target, sec, states, semantic, workers, progress, engine=None):
    meta, failed, hosts, hits = {}, [], [], []
    pending: deque = deque()

    def tee():
        for b in _stream(target, sec["fields"], meta, failed, hosts, progress):
            pending.append(b)
            yield b
    for lexical in run_engine(LexicalJob(states), tee(), workers, engine):
        batch = pending.popleft()
        hits.extend(lexical)
        if semantic is not None:
            hits.extend(semantic.feed([(row, f, r, t) for row, items in batch
                                       for f, r, t in items]))
    if semantic is not None:
        hits.extend(semantic.finish())
    return hits, meta, failed, hosts


def scan_target(store, target, goldens: list, policy, methods=None, workers=None,
                device="cpu", self_test=True, progress=None, fields=None,
                golden_fields=None, engine=None) -> LeakageScan:
    """Scan a Target against golden Snapshots (or Targets of ad hoc golden files);
    `engine` (a govern.engine.Engine, default local) runs the lexical methods."""
    if not goldens:
        raise UsageError("no golden set given", hint="pass --golden NAME, or list golden sets "
                         "under [leakage] golden in govern.toml")
    golden_ids = [golden_set_id(g) for g in goldens]
    config = config_digest(policy, golden_ids, methods, fields, golden_fields, self_test)
    sid = target.snapshot_id
    if store is not None and sid:
        stored = store.get_result("leakage", sid, config)
        if stored:
            return _reload(store, *stored)
    sec = effective_section(policy, methods, fields, golden_fields, self_test)
    items, gtexts, sets = read_golden(goldens, sec["golden_fields"], sec["min_words"])
    states = build_lexical(gtexts, sec["methods"], sec)
    semantic = _semantic(gtexts, sec, device, store, workers)
    try:
        hits, meta, failed, hosts = _scan_hits(target, sec, states, semantic, workers, progress,
                                               engine)
        st = ({}, {})
        if self_test and gtexts:
            st = run_self_test(gtexts, states, semantic, sec["methods"], hosts,
                               sec["self_test"]["sample"])
    finally:
        if semantic is not None:
            semantic.close()
    key = store.fingerprint_key() if store is not None else None
    pairs = lf.golden_duplicates(gtexts, states)
    found = lf.to_findings(hits, meta, items, gtexts, key, set(pairs))
    dups = [{"items": [items[a].id, items[b].id], "golden_set": items[a].set_name,
             "methods": ms} for (a, b), ms in pairs.items()]
    payload = _payload(sid, config, policy, sets, meta, failed, found, dups, st, sec)
    payload["findings_object"] = (store.objects.put_bytes(jsonl_bytes(found))
                                  if store is not None else None)
    digest = None
    if store is not None and sid and not failed:
        digest = store.put_result("leakage", sid, config, payload, command="scan leakage")
    return LeakageScan(found, payload, digest, False, dups)


def _payload(sid, config, policy, sets, meta, failed, found, dups, st, sec) -> dict:
    leaked = len({f.row for f in found})
    status = "fail" if failed or leaked > sec["max_leaked_records"] else "pass"
    return {
        "format": FORMAT, "kind": "leakage", "snapshot": sid, "config": config,
        "policy": policy.digest, "golden": sets, "methods": sec["methods"],
        "total": len(meta) + len(failed), "compared": len(meta), "failed": len(failed),
        "findings": len(found), "leaked_records": leaked,
        "leaked_golden_items": len({(f.extra["golden_set"], f.golden) for f in found}),
        "by_method": lf.by_method(found), "attribution": lf.attribution(found),
        "golden_internal_duplicates": len(dups), "self_test": st[0], "self_test_by_kind": st[1],
        "max_leaked_records": sec["max_leaked_records"], "status": status,
    }


def _reload(store, digest: str, payload: dict) -> LeakageScan:
    data = store.objects.get_bytes(payload["findings_object"]).decode("utf-8")
    return LeakageScan(read_jsonl(data.splitlines()), payload, digest, True)
