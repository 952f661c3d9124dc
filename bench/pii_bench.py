"""The PII benchmarks in one run: quality (recall/precision, govern and stock presidio), speed
(chars/s vs stock presidio BatchAnalyzerEngine) and the incremental rescan, then a line per
target. Each benchmark runs in its own process, so one's loaded models and warm caches do not
change another's timings.

    .venv/bin/python bench/pii_bench.py

Exit 0 when every target is met.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHES = [("quality: >= stock presidio on every set; synthetic 0.95/0.95, WNUT-17 dev 0.75/0.75, "
             "chat 0.97/0.95", "pii_quality.py"),
           ("speed: >= 5x stock presidio on short and long texts", "pii_speed.py"),
           ("incremental: 1% changed rescans in <= 5% of a full scan", "pii_incremental.py")]


def main() -> int:
    verdicts = []
    for target, script in BENCHES:
        print(f"== {script}", flush=True)
        run = subprocess.run([sys.executable, str(HERE / script)], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        print(run.stdout, end="", flush=True)
        verdicts.append((target, run.returncode))
    print("== targets")
    for target, rc in verdicts:
        verdict = {0: "MET", 1: "NOT MET"}.get(rc, f"ERROR (exit {rc})")
        print(f"  {verdict:<14} {target}")
    return 0 if all(rc == 0 for _, rc in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
