"""PII throughput: govern's scan vs stock presidio BatchAnalyzerEngine, side by side, in one run.

Same spaCy model, same texts (unique, so govern's de-duplication gives it no free win), same
machine. Stock presidio runs its BatchAnalyzerEngine (nlp.pipe, batch 32, one process, the
default registry); govern runs `scan_target` on the texts as a data file, on a fresh store
(no cache), with --workers as given (default: all cores) and with one worker. Models are
loaded before timing on both sides. Prints characters per second and the ratio.

    .venv/bin/python bench/pii_speed.py [--short 2000] [--long 60] [--workers N]
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from pii_common import govern_analyzer, stock_analyzer
from pii_make_data import records

logging.getLogger("tldextract").setLevel(logging.CRITICAL)


def corpus(n_short: int, n_long: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    sentences = [r.get("text") or " ".join(m["content"] for m in r["messages"])
                 for r in records(rng, 2000, 200, 1400)]
    short, i = [], 0
    while len(short) < n_short:
        text = sentences[i % len(sentences)]
        while len(text) < 90:
            i += 1
            text += " " + sentences[i % len(sentences)]
        short.append(f"[{len(short)}] {text}")
        i += 1
    long = []
    for k in range(n_long):
        parts = [f"Ticket {k}."]
        while sum(map(len, parts)) < 4000:
            parts.append(rng.choice(sentences))
        long.append(" ".join(parts))
    return short, long


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker pool)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def time_stock(analyzer, texts: list[str]) -> tuple[float, float]:
    from presidio_analyzer import BatchAnalyzerEngine
    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
    start, cpu = time.perf_counter(), cpu_seconds()
    list(batch.analyze_iterator(texts, language="en", batch_size=32))
    return time.perf_counter() - start, cpu_seconds() - cpu


def time_govern(texts: list[str], workers: int) -> tuple[float, float]:
    from govern.pii.scan import scan_target
    from govern.policy.load import Policy, validate
    from govern.snapshot.target import Target
    from govern.store import init_store
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.jsonl"
        path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        store, _ = init_store(Path(tmp) / ".govern")
        policy = Policy(validate({"version": 1}), None)
        start, cpu = time.perf_counter(), cpu_seconds()
        scan = scan_target(store, Target(str(path), files=[path]), policy, workers=workers)
        elapsed = time.perf_counter() - start
        assert scan.summary["failed"] == 0 and scan.cached == 0
        return elapsed, cpu_seconds() - cpu


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--short", type=int, default=2000)
    ap.add_argument("--long", type=int, default=60)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    import os
    workers = args.workers or os.cpu_count() or 1
    short, long = corpus(args.short, args.long)
    stock = stock_analyzer()
    govern_analyzer()  # load both sides' models before timing
    list(stock.analyze(t, "en") for t in short[:5])
    ok = True
    print(f"cores {os.cpu_count()}, govern workers {workers}")
    for name, texts in (("short", short), ("long", long)):
        chars = sum(map(len, texts))
        (t_stock, c_stock), (t_one, c_one), (t_gov, c_gov) = (
            time_stock(stock, texts), time_govern(texts, 1), time_govern(texts, workers))
        ratio = t_stock / t_gov
        ok &= ratio >= 5
        print(f"{name}: {len(texts)} texts, avg {chars / len(texts):.0f} chars")
        print(f"  presidio BatchAnalyzerEngine {chars / t_stock:9.0f} chars/s   "
              f"CPU {c_stock:6.1f}s")
        print(f"  govern, 1 worker             {chars / t_one:9.0f} chars/s   CPU {c_one:6.1f}s"
              f"   wall ratio {t_stock / t_one:4.1f}x   CPU ratio {c_stock / c_one:4.1f}x")
        print(f"  govern, {workers} workers            {chars / t_gov:9.0f} chars/s   CPU {c_gov:6.1f}s"
              f"   wall ratio {ratio:4.1f}x   CPU ratio {c_stock / c_gov:4.1f}x")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"target >= 5x stock presidio on short and long texts: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
