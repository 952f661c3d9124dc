"""Leakage quality on the labelled benchmark: per-kind recall, false-positive rate, right
golden item named; next to two baselines measured in the same run on the same data:
13-gram overlap alone, and a plain MiniLM cosine threshold alone (no verifying stage).

    python bench/leakage_data.py          # (re)build bench/data/leakage/
    HF_HUB_OFFLINE=1 python bench/leakage_quality.py [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "leakage"
PARAPHRASE = {"word_order", "synonyms", "paraphrase", "paraphrase_embedded"}


def labels():
    rows = [json.loads(line) for line in open(DATA / "train.jsonl")]
    return [(r["bench_kind"], r.get("bench_golden")) for r in rows], [r["text"] for r in rows]


def score(truth, flagged: dict[int, set[str]], title: str) -> dict:
    """flagged: row -> golden ids named. Prints per-kind recall, FPR, right-item share."""
    per_kind, neg, fp, right, only, hits = defaultdict(lambda: [0, 0]), 0, 0, 0, 0, 0
    for row, (kind, gold) in enumerate(truth):
        named = flagged.get(row, set())
        if kind == "negative":
            neg += 1
            fp += bool(named)
            continue
        per_kind[kind][0] += 1
        if named:
            per_kind[kind][1] += 1
            hits += 1
            right += gold in named
            only += named == {gold}
    recall = {k: round(c / n, 4) for k, (n, c) in sorted(per_kind.items())}
    para = [per_kind[k] for k in PARAPHRASE]
    out = {"recall": recall, "paraphrase_recall": round(sum(c for _, c in para) /
                                                         max(1, sum(n for n, _ in para)), 4),
           "fpr": round(fp / neg, 5), "false_positives": fp, "negatives": neg,
           "right_golden": round(right / hits, 4) if hits else None,
           "only_right_golden": round(only / hits, 4) if hits else None}
    print(f"\n== {title}")
    for k, r in recall.items():
        print(f"  recall {k:<20} {r:.3f}  ({per_kind[k][1]}/{per_kind[k][0]})")
    print(f"  paraphrase recall (word order, synonyms, hand-written): {out['paraphrase_recall']:.3f}")
    print(f"  false-positive rate: {out['fpr']:.4%} ({fp}/{neg} same-domain negatives)")
    print(f"  right golden item named: {out['right_golden']} "
          f"(and no other item: {out['only_right_golden']})")
    return out


def full_scan(workers: int):
    from govern.leakage.scan import scan_target
    from govern.policy.load import Policy, validate
    from govern.snapshot.target import Target
    policy = Policy(validate({"version": 1}), None)
    target = Target("train", files=[DATA / "train.jsonl"])
    golden = Target("golden", files=[DATA / "golden.jsonl"])
    t = time.time()
    scan = scan_target(None, target, [golden], policy, workers=workers, fields=["text"])
    took = time.time() - t
    flagged = defaultdict(set)
    for f in scan.findings:
        flagged[f.row].add(f.golden)
    return scan, flagged, took


def baselines(truth, texts, which: str):
    from govern.leakage.golden import read_golden
    from govern.leakage.semantic import SemanticMatcher, windows
    from govern.snapshot.target import Target
    from govern.policy.load import validate
    golden = Target("golden", files=[DATA / "golden.jsonl"])
    items, gtexts, _ = read_golden([golden], ["text"], 5)
    from govern.leakage.detect import LEXICAL, match_text
    # GPT-3 style: any shared 13-gram flags the record; no verification of specifics
    state = {"ngram13": LEXICAL["ngram13"].build(gtexts, {"threshold": 1e-9})}
    flagged13 = defaultdict(set)
    for n, t in enumerate(texts):
        for _, g, *_ in match_text(state, t):
            flagged13[n].add(items[gtexts[g].item].id)
    score(truth, flagged13, "baseline: 13-gram overlap alone (any shared 13-gram)")
    if which == "ngram13":
        return
    params = validate({"version": 1})["leakage"]["semantic"]
    m = SemanticMatcher(gtexts, params)
    spans = [(n, s, e) for n, t in enumerate(texts) for s, e in windows(t)]
    sims = m.encode([texts[n][s:e] for n, s, e in spans]) @ m.golden.T
    best = np.full((len(texts), len(gtexts)), -1.0, dtype=np.float32)
    for w, (n, _, _) in enumerate(spans):
        np.maximum(best[n], sims[w], out=best[n])
    print("\n== baseline: plain MiniLM cosine threshold alone (same windows, no verification)")
    for th in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        flagged = {n: {items[gtexts[g].item].id for g in np.nonzero(best[n] >= th)[0]}
                   for n in range(len(texts)) if (best[n] >= th).any()}
        r = score(truth, flagged, f"cosine >= {th}") if th in (0.7, 0.8, 0.9) else None
        if r is None:
            print(f"  cosine >= {th}: (see table below)")
    print("\n  threshold  paraphrase-recall  FPR")
    for th in np.arange(0.60, 0.96, 0.025):
        fl = {n for n in range(len(texts)) if (best[n] >= th).any()}
        neg = [n for n, (k, _) in enumerate(truth) if k == "negative"]
        par = [n for n, (k, _) in enumerate(truth) if k in PARAPHRASE]
        print(f"  {th:.3f}      {sum(n in fl for n in par) / len(par):.3f}              "
              f"{sum(n in fl for n in neg) / len(neg):.4%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baselines", choices=["all", "ngram13", "none"], default="all")
    ap.add_argument("--no-scan", action="store_true", help="baselines only")
    args = ap.parse_args()
    truth, texts = labels()
    if not args.no_scan:
        scan, flagged, took = full_scan(args.workers)
        print(f"benchmark: {len(texts)} training records, golden set of "
              f"{scan.summary['golden'][0]['count']} items; full scan {took:.1f}s "
              f"({len(texts) / took:.0f} records/s, all methods, CPU)")
        score(truth, flagged, "govern scan leakage (all methods, verified semantic stage)")
        print("\nself-test recall in the same run:", json.dumps(scan.summary["self_test"]))
    if args.baselines != "none":
        baselines(truth, texts, args.baselines)


if __name__ == "__main__":
    main()
