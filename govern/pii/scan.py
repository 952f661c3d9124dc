"""`scan pii` core: scan a snapshot or ad hoc files, reuse stored results, fail closed.

A snapshot's result is stored under (snapshot id, config digest) and reused. Below that, a
per-record cache keyed by (record digest, detection digest) means a child snapshot that
changed 1% of its records sends only that 1% to the analyzer. Identical texts are analyzed
once per block. Findings carry fingerprints and masks, never the matched values.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import deque
from dataclasses import dataclass
from typing import Callable

import orjson

from govern.data.text import texts
from govern.digests import digest_json
from govern.engine import run as run_engine
from govern.engine.local import batched, default_workers
from govern.findings import Finding, fingerprint, jsonl_bytes, mask, read_jsonl, sort_findings
from govern.pii.baseline import Baseline, baseline_path, load_baseline
from govern.pii.analyzer import analyzer_for
from govern.pii.engine import PiiJob
from govern.pii.settings import detection_digest, detection_settings
from govern.pii.summary import summarize
from govern.snapshot.target import Target
from govern.store import Store

TEXTS_VERSION = 2  # keys and identifier-like numbers are scanned (govern.data.text)
BLOCK_RECORDS = 8192  # records per cache lookup; a sparse rescan analyses one batch per block
BATCH_TEXTS, BATCH_CHARS = 128, 64_000
TEXT_WEIGHT = 100  # NER's cost of one text, in characters
INLINE_WEIGHT = 50_000  # less work than this (a cached rescan): no worker pool


@dataclass
class PiiScan:
    findings: list[Finding]
    summary: dict
    digest: str | None = None
    reused: bool = False
    cached: int = 0  # records whose findings came from the per-record cache


def config_digest(policy, fields: list[str] | None = None) -> str:
    """Digest of everything that changes results: the effective [pii] section, detectors and
    their versions, the spaCy model and version, the scanner version and the baseline file."""
    settings = detection_settings(policy)
    parts = {"detection": detection_digest(settings), "pii": policy.section("pii"),
             "baseline": load_baseline(baseline_path(policy)).digest}
    if fields:
        parts["fields"] = sorted(fields)
    return digest_json(parts)


def scan_target(store: Store, target: Target, policy, workers: int | None = None,
                progress: Callable[[int], None] | None = None,
                fields: list[str] | None = None, engine=None) -> PiiScan:
    """`engine`: a govern.engine.Engine (default local); results are the same on any."""
    config = config_digest(policy, fields)
    baseline = load_baseline(baseline_path(policy))
    sid = target.snapshot_id
    if sid:
        hit = store.get_result("pii", sid, config)
        if hit and hit[1]["failed"] == 0:  # an incomplete result is rescanned, never reused
            return _reuse(store, policy, baseline, hit)
    settings = detection_settings(policy)
    with _gc_frozen():
        findings, counts = _scan_records(store, target, settings, fields, workers, progress,
                                         engine, policy.section("pii")["scan_id_fields"])
        payload = summarize(findings, counts, policy, baseline, dt.date.today())  # sets actions
        payload.update({"snapshot": sid, "config": config,
                        "findings_object": store.objects.put_bytes(jsonl_bytes(findings))})
    payload = dict(sorted(payload.items()))
    digest = store.put_result("pii", sid, config, payload, command="scan pii") if sid else None
    if not sid:
        store.audit("scan pii", {"files": target.label, "config": config},
                    {"findings": payload["findings_object"], "status": payload["status"]})
    return PiiScan(findings, payload, digest, cached=counts["cached"])


@contextlib.contextmanager
def _gc_frozen():
    """Objects alive when the scan starts (the loaded analyzer: some 160,000) stay out of the
    garbage collector's passes while it runs. A scan allocates a few objects per finding, and
    each full pass over everything cost a 20,000-record rescan 0.15 of its 0.8 s."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _reuse(store: Store, policy, baseline: Baseline, hit: tuple[str, dict]) -> PiiScan:
    """A stored result; its baseline verdict is recomputed, since entries expire by date."""
    digest, payload = hit
    data = store.objects.get_bytes(payload["findings_object"]).decode("utf-8")
    findings = read_jsonl(data.splitlines())
    counts = {k: payload[k] for k in ("total", "scanned", "failed")}
    fresh = summarize(findings, counts, policy, baseline, dt.date.today())
    if any(fresh[k] != payload[k] for k in ("blocking", "baseline", "status")):
        payload = dict(sorted({**payload, **{k: fresh[k] for k in ("blocking", "baseline",
                                                                    "status")}}.items()))
        digest = store.put_result("pii", payload["snapshot"], payload["config"], payload,
                                  command="scan pii")
    return PiiScan(findings, payload, digest, reused=True)


def _scan_records(store, target, settings, fields, workers, progress, engine=None,
                  scan_ids: bool = True):
    section_key = store.fingerprint_key()
    ns = "pii:" + digest_json({"detection": detection_digest(settings),
                               "fields": sorted(fields or []), "texts": TEXTS_VERSION,
                               "ids": scan_ids})
    out: list[Finding] = []
    counts = {"total": 0, "scanned": 0, "failed": 0, "cached": 0}
    tickets: deque = deque()

    def finish(todo, spans):
        cache = {}
        for rec, ts in todo:
            found, failed = _record_findings(rec, ts, spans, section_key)
            counts["failed" if failed else "scanned"] += 1
            out.extend(found)
            if not failed:
                cache[rec.digest] = orjson.dumps([_cache_row(f) for f in found]).decode("utf-8")
        if cache:
            store.cache_put_many(ns, cache)
        if progress:
            progress(len(todo))

    def batches():
        for block in batched(target.iter_records(), BLOCK_RECORDS):
            counts["total"] += len(block)
            hits = store.cache_get_many(ns, sorted({r.digest for r in block}))
            todo = []
            for rec in block:
                if rec.digest in hits:
                    out.extend(_from_cache(rec, hits[rec.digest]))
                    counts["scanned"] += 1
                    counts["cached"] += 1
                else:
                    todo.append((rec, list(texts(rec.record, fields, everything=True,
                                                 skip_ids=not (fields or scan_ids)))))
            if progress:
                progress(len(block) - len(todo))
            unique = list(dict.fromkeys(t.text for _, ts in todo for t in ts))
            parts = list(_split(unique, workers or default_workers()))
            if not parts:
                finish(todo, {})
                continue
            local = engine is None or engine.name == "local"  # Ray actors load their own
            if not tickets and local and (workers or default_workers()) > 1:
                analyzer_for(settings)  # load once here: forked workers inherit it
                # The workers' garbage collector then leaves the parent's objects alone, so
                # their pages stay shared instead of being copied in every worker (the
                # caller, scan_target, unfreezes them when the scan ends).
                gc.freeze()
            state = {"todo": todo, "spans": {}, "left": len(parts)}
            for part in parts:
                tickets.append((state, part))
                yield part

    for result in run_engine(PiiJob(settings), batches(), workers, engine,
                             inline_below=INLINE_WEIGHT, weight=_weight):
        state, part = tickets.popleft()
        state["spans"].update(zip(part, result))
        state["left"] -= 1
        if state["left"] == 0:
            finish(state["todo"], state["spans"])
    return sort_findings(out), counts


def _weight(part: list[str]) -> int:
    return sum(len(t) + TEXT_WEIGHT for t in part)


def _split(unique: list[str], workers: int):
    """A block's texts as parts of about BATCH_TEXTS texts or BATCH_CHARS characters, evenly
    sized and a multiple of `workers` in number, so no worker idles while another finishes
    the block (a scan of 30 long texts in 3 parts kept one of 2 workers idle a third of the
    time). A part's weight counts characters plus a fixed cost per text. Texts too few to be
    worth a worker pool stay one part."""
    if not unique:
        return
    weights = [_weight([t]) for t in unique]
    total = sum(weights)
    if total < INLINE_WEIGHT:  # runs in this process (a rescan): one NER batch is cheaper
        yield unique
        return
    k = max(-(-len(unique) // BATCH_TEXTS), -(-(total - TEXT_WEIGHT * len(unique)) // BATCH_CHARS))
    k = min(len(unique), -(-k // workers) * workers)
    part, acc, edge = [], 0, 1
    for t, w in zip(unique, weights):
        part.append(t)
        acc += w
        if acc * k >= edge * total:
            yield part
            part = []
            while edge * total <= acc * k:
                edge += 1
    if part:
        yield part


def _record_findings(rec, ts, spans, key) -> tuple[list[Finding], bool]:
    found, failed = [], False
    for t in ts:
        result = spans[t.text]
        if isinstance(result, str):
            failed = True
            continue
        for entity, start, end, score, detector in result:
            value = t.text[start:end]
            found.append(Finding(row=rec.row, line=rec.line, file=rec.file, field=t.field,
                                 role=t.role, type=entity, start=start, end=end, score=score,
                                 detector=detector, fingerprint=fingerprint(key, value),
                                 mask=mask(value, entity)))
    return found, failed


def _cache_row(f: Finding) -> list:
    return [f.field, f.role, f.type, f.start, f.end, f.score, f.detector, f.fingerprint, f.mask]


def _from_cache(rec, value: str) -> list[Finding]:
    # positional (Finding's field order): a rescan builds thousands of these
    return [Finding(rec.row, rec.line, fd, ty, det, sc, role, s, e, fp, mk, rec.file)
            for fd, role, ty, s, e, sc, det, fp, mk in orjson.loads(value)]
