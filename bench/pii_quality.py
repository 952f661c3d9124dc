"""PII quality benchmark: record-level recall/precision and per-entity span precision/recall of
govern's scanner and of stock presidio, on bench/data/pii_benchmark.jsonl, in one run.

    .venv/bin/python bench/pii_quality.py

A record with any labelled span must be flagged (any direct-identifier finding); a PII-free
record must not be. Spans match when they overlap and belong to the same entity group.
Targets: record-level recall >= 0.95 at precision >= 0.95 (direct identifiers).
"""
from __future__ import annotations

import sys
from collections import Counter

from pii_common import group, govern_analyzer, load_records, record_texts, stock_analyzer


def govern_predict(records):
    analyzer = govern_analyzer()
    keys = [(i, f, t) for i, r in enumerate(records) for f, t in record_texts(r)]
    results = analyzer.analyze([t for _, _, t in keys])
    return _collect(keys, [[(e, s, t) for e, s, t, _, _ in res] for res in results])


def stock_predict(records, threshold: float):
    analyzer = stock_analyzer()
    keys = [(i, f, t) for i, r in enumerate(records) for f, t in record_texts(r)]
    results = [[(x.entity_type, x.start, x.end) for x in
                analyzer.analyze(t, "en", score_threshold=threshold)] for _, _, t in keys]
    return _collect(keys, results)


def _collect(keys, results):
    pred = {}
    for (i, f, _), spans in zip(keys, results):
        pred.setdefault(i, []).extend((f, group(e), s, t) for e, s, t in spans if group(e))
    return pred


def evaluate(records, pred) -> dict:
    tp = fp = fn = 0
    gold_n, gold_hit, pred_n, pred_hit = Counter(), Counter(), Counter(), Counter()
    for i, rec in enumerate(records):
        gold = [(s["field"], group(s["type"]), s["start"], s["end"]) for s in rec["spans"]]
        mine = pred.get(i, [])
        flagged, positive = bool(mine), bool(gold)
        tp, fp, fn = tp + (flagged and positive), fp + (flagged and not positive), fn + (positive and not flagged)
        for g in gold:
            gold_n[g[1]] += 1
            gold_hit[g[1]] += any(_overlap(g, p) for p in mine)
        for p in mine:
            pred_n[p[1]] += 1
            pred_hit[p[1]] += any(_overlap(g, p) for g in gold)
    per = {k: (pred_hit[k] / pred_n[k] if pred_n[k] else float("nan"),
               gold_hit[k] / gold_n[k] if gold_n[k] else float("nan"), gold_n[k])
           for k in sorted(set(gold_n) | set(pred_n))}
    return {"recall": tp / (tp + fn), "precision": tp / (tp + fp) if tp + fp else 0.0,
            "per_entity": per}


def _overlap(a, b) -> bool:
    return a[0] == b[0] and a[1] == b[1] and a[2] < b[3] and b[2] < a[3]


def main() -> int:
    records = load_records()
    runs = {"govern": govern_predict(records),
            "presidio (threshold 0.4)": stock_predict(records, 0.4),
            "presidio (default threshold)": stock_predict(records, 0.0)}
    print(f"{len(records)} records, {sum(bool(r['spans']) for r in records)} with PII")
    results = {name: evaluate(records, pred) for name, pred in runs.items()}
    for name, r in results.items():
        print(f"{name:30s} record-level recall {r['recall']:.3f}  precision {r['precision']:.3f}")
    print("\nper-entity span precision / recall (gold spans)")
    print(f"{'entity':16s}" + "".join(f"{n[:22]:>26s}" for n in results))
    for k in results["govern"]["per_entity"]:
        cells = []
        for r in results.values():
            p, rc, n = r["per_entity"].get(k, (float("nan"), float("nan"), 0))
            cells.append(f"{p:10.3f} / {rc:.3f} ({n:3d})")
        print(f"{k:16s}" + "".join(f"{c:>26s}" for c in cells))
    g = results["govern"]
    ok = g["recall"] >= 0.95 and g["precision"] >= 0.95
    print(f"\ntarget recall >= 0.95 at precision >= 0.95: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
