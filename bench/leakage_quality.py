"""Leakage quality and speed on real data, in one run:

1. Real LLM rephrasings (lmsys-rephrase, the subjects the decision model was not fitted on):
   per subject recall, record-level FPR (the other questions of the subject and their
   rephrasings as hard negatives, both halves in turn), right golden item named; next to the
   plain MiniLM cosine threshold (no decision model) on the same windows in the same run.
2. GSM8K train + planted copies of test questions (exact, edited, embedded) vs GSM8K test: the
   default `govern scan leakage` command (all methods, CPU) in a subprocess, timed: wall
   seconds, CPU seconds, peak memory, records/s; per-kind recall (any method, and the semantic
   method alone), FPR on the clean train questions, right golden item named.

    HF_HUB_OFFLINE=1 python bench/leakage_quality.py [--workers 2] [--skip-gsm8k|--skip-rephrase]

Prints `uptime` load with the timings: re-run on a quiet machine for the speed figure.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from leakage_fit import FIT_SUBJECTS, golden, params
from leakage_real import PLANTED, ROOT, SUBJECTS, gsm8k_planted, rephrase_cases

REPORT = [s for s in SUBJECTS if s not in FIT_SUBJECTS and s != "high_school_us_history"]
BASELINES = (0.75, 0.8, 0.85, 0.9)


def load() -> str:
    return os.getloadavg().__repr__()


def rephrase_quality() -> None:
    from govern.leakage.pairs import Decision
    from govern.leakage.semantic import SemanticMatcher
    decision = Decision.load()
    print(f"== real LLM rephrasings, subjects not used for fitting: {', '.join(REPORT)} "
          f"(decision model {decision.digest}, threshold {decision.threshold})")
    for name in REPORT:
        tally = defaultdict(lambda: np.zeros(5, dtype=int))  # hit, pos, fp, neg, wrong-named
        for gq, _, texts, right in rephrase_cases(name):
            own, gi, x, *_ = SemanticMatcher(golden(gq), params()).describe(texts)
            scores = {"govern (decision model)": decision.probability(x) >= decision.threshold}
            scores.update({f"plain cosine >= {t}": x[:, 0] >= t for t in BASELINES})
            for label, ok in scores.items():
                named = defaultdict(set)
                for o, g in zip(own[ok].tolist(), gi[ok].tolist()):
                    named[o].add(g)
                pos = [i for i, r in enumerate(right) if r is not None]
                neg = [i for i, r in enumerate(right) if r is None]
                tally[label] += [sum(right[i] in named[i] for i in pos), len(pos),
                                 sum(bool(named[i]) for i in neg), len(neg),
                                 sum(bool(named[i] - {right[i]}) for i in pos)]
        print(f"  {name}:")
        for label, (hit, pos, fp, neg, wrong) in tally.items():
            print(f"    {label:<26} recall {hit / pos:.3f} ({hit}/{pos})  FPR {fp / neg:.2%} "
                  f"({fp}/{neg})  right item named for {1 - wrong / max(hit, 1):.3f} of hits")


def gsm8k_quality(workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        truth = gsm8k_planted(folder)
        out = folder / "findings.jsonl"
        cmd = [sys.executable, "-c", "from govern.cli.main import main; main()", "scan", "leakage",
               str(folder / "train.jsonl"), "--golden", str(folder / "golden.jsonl"),
               "--format", "jsonl", "--out", str(out), "--workers", str(workers)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
               "GOVERN_STORE": str(folder / ".govern")}
        subprocess.run([*cmd[:3], "init"], env=env, cwd=folder, check=True, capture_output=True)
        before = os.getloadavg()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.time()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=folder)
        wall = time.time() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in (0, 1) or not out.exists():
            sys.exit(f"scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
        found = [json.loads(line) for line in open(out)]
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(f"\n== GSM8K train + planted copies ({len(truth)} records) vs GSM8K test "
          f"(1,319 golden): govern scan leakage, default methods, --workers {workers}")
    print(f"  wall {wall:.1f}s ({len(truth) / wall:.0f} records/s), CPU {cpu:.1f}s "
          f"(CPU s / 2 cores = {cpu / 2:.1f}s), peak memory {r1.ru_maxrss / 1024:.0f} MiB; "
          f"load before {before[0]:.1f}, after {os.getloadavg()[0]:.1f} (1-min average)")
    named, semantic = defaultdict(set), defaultdict(set)
    for f in found:
        named[f["row"]].add(int(f["golden"]))
        if "semantic" in f.get("methods", [f["method"]]):
            semantic[f["row"]].add(int(f["golden"]))
    for kind in PLANTED:
        rows = [i for i, (k, _) in enumerate(truth) if k == kind]
        anym = sum(truth[i][1] in named[i] for i in rows)
        sem = sum(truth[i][1] in semantic[i] for i in rows)
        print(f"  recall {kind:<9} {anym / len(rows):.3f} ({anym}/{len(rows)}), semantic "
              f"alone {sem / len(rows):.3f}")
    clean = [i for i, (k, _) in enumerate(truth) if k == "clean"]
    fp = sum(bool(named[i]) for i in clean)
    fps = sum(bool(semantic[i]) for i in clean)
    hits = [i for i, (k, _) in enumerate(truth) if k != "clean" and named[i]]
    right = sum(named[i] == {truth[i][1]} for i in hits)
    print(f"  FPR on clean train questions {fp / len(clean):.3%} ({fp}/{len(clean)}; "
          f"semantic {fps}); only the right golden item named for {right}/{len(hits)} hits")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-gsm8k", action="store_true")
    ap.add_argument("--skip-rephrase", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {load()}")
    if not args.skip_rephrase:
        rephrase_quality()
    if not args.skip_gsm8k:
        gsm8k_quality(args.workers)


if __name__ == "__main__":
    main()
