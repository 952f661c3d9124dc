"""Lexical leakage speed: training records/s for exact + 13/8-gram + substring + MinHash
against a generated golden set, through the local engine's worker processes.

    python bench/leakage_lexical_speed.py --records 1000000 --golden 10000 --workers 2

Records are generated text: 20-40 words drawn from a Zipf-distributed vocabulary of 20,000
words (a real golden set is not 10k variants of a few templates), with 0.1% planted golden
copies; they are held in memory before timing starts; the figure is the lexical stage alone (index build reported
separately). Peak memory is the max resident size of this process and of one worker.
"""
from __future__ import annotations

import argparse
import resource
import time


def generator(seed: int, vocabulary: int = 20_000):
    import numpy as np
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(vocabulary)])

    def text() -> str:
        n = int(rng.integers(20, 41))
        ids = np.minimum(rng.zipf(1.2, n) - 1, vocabulary - 1)
        return " ".join(vocab[ids])
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--golden", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=512)
    args = ap.parse_args()
    from govern.engine.local import batched, run_batches
    from govern.leakage.detect import LEXICAL, LexicalJob, build_lexical
    from govern.leakage.golden import GoldenText
    from govern.leakage.normalize import words
    from govern.policy.load import validate
    text = generator(1)
    section = validate({"version": 1})["leakage"]
    golden = [text() for _ in range(args.golden)]
    gtexts = [GoldenText(i, "text", t, tuple(words(t))) for i, t in enumerate(golden)]
    train = [(i, [("text", None, text())]) for i in range(args.records)]
    for i in range(0, args.records, 1000):  # 0.1% leaked copies
        train[i] = (i, [("text", None, "Hello. " + golden[i % args.golden].upper())])
    t0 = time.time()
    states = build_lexical(gtexts, list(LEXICAL), section)
    build = time.time() - t0
    t0 = time.time()
    hits = 0
    for out in run_batches(LexicalJob(states), batched(train, args.batch), args.workers):
        hits += len({h[0] for h in out})
    took = time.time() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    words_per = sum(len(t[1][0][2].split()) for t in train[:1000]) / 1000
    print(f"lexical methods: {', '.join(LEXICAL)}")
    print(f"golden items: {args.golden}; index build {build:.1f}s")
    print(f"training records: {args.records} (~{words_per:.0f} words each), "
          f"workers {args.workers}: {took:.1f}s = {args.records / took:,.0f} records/s")
    print(f"records flagged: {hits} (planted: {len(range(0, args.records, 1000))})")
    print(f"peak memory: main {me:,.0f} MiB, largest worker {kids:,.0f} MiB")


if __name__ == "__main__":
    main()
