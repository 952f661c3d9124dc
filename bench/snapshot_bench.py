"""Benchmark: `govern snapshot create` vs plain `datasets.load_dataset("json")` on the same file.

Generates a chat JSONL of --mb megabytes (default 220), then runs each side in its own child
process (fresh caches) and prints seconds, MB/s, records/s, peak RSS and the time ratio.
Target: govern <= 2x the plain load, with bounded memory.

    .venv/bin/python bench/snapshot_bench.py [--mb 220]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

WORDS = ("account billing order refund shipping password reset invoice delivery tracking error "
         "update install crash login device screen payment card plan upgrade cancel help").split()


def generate(path: str, mb: int) -> int:
    rng = random.Random(0)
    n, size = 0, 0
    with open(path, "w") as f:
        while size < mb * 1_000_000:
            turns = []
            for t in range(rng.randint(2, 6)):
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 160)))
                turns.append({"role": "user" if t % 2 == 0 else "assistant", "content": text})
            line = json.dumps({"id": f"c{n}", "messages": turns, "source": "synthetic"}) + "\n"
            f.write(line)
            size += len(line)
            n += 1
    return n


CHILD = {
    "govern": """
import sys, time
from govern.store import init_store
from govern.snapshot import snapshot_files
store, _ = init_store(sys.argv[2])
t = time.perf_counter()
res = snapshot_files(store, [sys.argv[1]])
import resource
print(time.perf_counter() - t, res.snapshot.count, max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
""",
    "datasets": """
import sys, time
import datasets
datasets.disable_progress_bars()
t = time.perf_counter()
ds = datasets.load_dataset("json", data_files=sys.argv[1], split="train", cache_dir=sys.argv[2])
import resource
print(time.perf_counter() - t, len(ds), max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
""",
}


def run(side: str, data: str, work: str) -> tuple[float, int, float]:
    out = subprocess.run([sys.executable, "-c", CHILD[side], data, work], capture_output=True,
                         text=True, check=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    secs, count, rss_kb = out.stdout.split()[-3:]
    return float(secs), int(count), int(rss_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=int, default=220)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "chat.jsonl")
        t = time.perf_counter()
        n = generate(data, args.mb)
        mb = os.path.getsize(data) / 1e6
        print(f"generated {n} chat records, {mb:.0f} MB in {time.perf_counter() - t:.1f}s")
        results = {}
        for side in ("datasets", "govern"):
            secs, count, rss = run(side, data, os.path.join(tmp, side))
            assert count == n, (side, count, n)
            results[side] = secs
            print(f"{side:9s} {secs:7.1f}s  {mb / secs:6.1f} MB/s  {n / secs:9.0f} records/s  "
                  f"peak RSS {rss:6.0f} MB (largest process)")
        print(f"ratio govern / datasets.load_dataset: {results['govern'] / results['datasets']:.2f}x "
              "(target <= 2x)")


if __name__ == "__main__":
    main()
