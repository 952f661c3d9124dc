"""Benchmark: the same PII and leakage scans on the local engine and on Ray Data, at 1 and 2
workers, on this machine; records/s, scaling efficiency (rate at 2 / (2 x rate at 1)), Ray's
fixed overhead on a small input, and a check that every run found the same findings.

Each run gets a fresh store (no cached results); the Ray runs share one local cluster started
once (num_cpus = --cpus), except the "cold" small run, which starts and stops its own cluster
as a one-off `govern ... --engine ray` does. The load average is printed with the figures:
the machine may be shared.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/engine_scaling.py [--pii-records 1200]
        [--leakage-records 30000] [--small 40] [--cpus 2] [--scans pii,leakage] [--json out.json]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "support_tickets.jsonl"
GOLDEN = ROOT / "evals" / "golden" / "support_tickets.jsonl"
LEXICAL = ["exact", "ngram13", "ngram8", "substring", "minhash"]
SUFFIX = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
          "november oscar papa quebec romeo sierra tango").split()


def corpus(path: Path, n: int) -> Path:
    """n tickets cycled from the sample, each made unique (the PII scan analyzes a text once)."""
    rows = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    with open(path, "w") as f:
        for i in range(n):
            r = dict(rows[i % len(rows)])
            tag = " ".join(SUFFIX[(i // 20 ** k) % 20] for k in range(4))
            r["id"], r["text"] = f"B{i}", f"{r['text']} Ref {tag}."
            f.write(json.dumps(r) + "\n")
    return path


def base_store(tmp: Path, name: str, data: Path) -> Path:
    """A store holding the data snapshot and the golden set; runs use copies of it, so they
    share the fingerprint key (findings compare byte for byte) but no cached results."""
    from govern.leakage.golden import add_golden
    from govern.snapshot import snapshot_files
    from govern.store import init_store
    store, _ = init_store(tmp / name)
    snapshot_files(store, [str(data)], name="data", workers=1)
    add_golden(store, [str(GOLDEN)], "bench-golden")
    return tmp / name


def fresh(base: Path, name: str):
    from govern.snapshot import resolve
    from govern.store import open_store
    shutil.copytree(base, base.parent / name)
    store = open_store(base.parent / name)
    return store, resolve(store, "data")


def default_policy():
    """The built-in defaults, whatever govern.toml the working directory holds."""
    from govern.policy.load import Policy, validate
    return Policy(validate({"version": 1}), None)


def pii_run(store, snap, engine, workers):
    from govern.pii.scan import scan_target
    from govern.snapshot.target import Target
    return scan_target(store, Target(snap.label(), snapshot=snap), default_policy(), workers,
                       engine=engine).findings


def leakage_run(store, snap, engine, workers):
    from govern.leakage.scan import scan_target
    from govern.snapshot import resolve
    from govern.snapshot.target import Target
    golden = resolve(store, "bench-golden")
    return scan_target(store, Target(snap.label(), snapshot=snap), [golden], default_policy(),
                       methods=LEXICAL, workers=workers, self_test=False, engine=engine).findings


def cpu() -> float:
    """CPU seconds of this process and its finished children (the local pool's workers; Ray's
    actors are not our children, so on Ray this is the driver's share alone)."""
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def timed(scan, base: Path, name: str, engine, workers) -> dict:
    store, snap = fresh(base, name)
    start, cpu0 = time.perf_counter(), cpu()
    findings = scan(store, snap, engine, workers)
    seconds, cpu_s = time.perf_counter() - start, cpu() - cpu0
    digest = hashlib.sha256("\n".join(sorted(json.dumps(f.to_dict(), sort_keys=True)
                                             for f in findings)).encode()).hexdigest()[:16]
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu_s, 2), "records": snap.count,
            "records_per_s": round(snap.count / seconds, 1), "findings": len(findings),
            "findings_digest": digest, "load": round(os.getloadavg()[0], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pii-records", type=int, default=1200)
    ap.add_argument("--leakage-records", type=int, default=30000)
    ap.add_argument("--small", type=int, default=40)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--scans", default="pii,leakage", help="comma-separated: pii, leakage")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from govern.engine import Engine
    local, ray_engine = Engine("local"), Engine("ray")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        small = base_store(tmp, "small", corpus(tmp / "small.jsonl", args.small))
        # small input: local vs a cold Ray start (what one CLI call pays) vs a running cluster
        rows.append(("pii", "small", "local", 1, timed(pii_run, small, "s-l", local, 1)))
        rows.append(("pii", "small", "ray-cold", 1,
                     timed(pii_run, small, "s-rc", ray_engine, 1)))
        import ray
        ray.init(num_cpus=args.cpus, include_dashboard=False, logging_level=logging.ERROR,
                 log_to_driver=False)
        rows.append(("pii", "small", "ray-warm", 1,
                     timed(pii_run, small, "s-rw", ray_engine, 1)))
        for kind, scan, n in (("pii", pii_run, args.pii_records),
                              ("leakage", leakage_run, args.leakage_records)):
            if kind not in args.scans.split(","):
                continue
            base = base_store(tmp, kind, corpus(tmp / f"{kind}.jsonl", n))
            for name, engine in (("local", local), ("ray", ray_engine)):
                for workers in (1, 2):
                    res = timed(scan, base, f"{kind}-{name}-{workers}", engine, workers)
                    rows.append((kind, n, name, workers, res))
                    print(kind, n, name, workers, res, file=sys.stderr, flush=True)
        ray.shutdown()
    report(rows, args.json)


def report(rows: list, out: Path | None) -> None:
    print(f"{'scan':8} {'input':>6} {'engine':9} {'workers':>7} {'seconds':>8} {'rec/s':>8} "
          f"{'eff.':>5} {'cpu_s':>6} {'findings':>8} {'digest':16} {'load':>5}")
    by = {(k, e, w): r for k, n, e, w, r in rows if n != "small"}
    for kind, n, engine, workers, r in rows:
        eff = ""
        if workers == 2 and (kind, engine, 1) in by:
            eff = f"{r['records_per_s'] / (2 * by[kind, engine, 1]['records_per_s']):.2f}"
        print(f"{kind:8} {n!s:>6} {engine:9} {workers:>7} {r['seconds']:>8} "
              f"{r['records_per_s']:>8} {eff:>5} {r['cpu_s']:>6} {r['findings']:>8} "
              f"{r['findings_digest']:16} {r['load']:>5}")
    for kind in sorted({k for k, n, *_ in rows if n != "small"}):
        digests = {r["findings_digest"] for k, n, *_, r in rows if k == kind and n != "small"}
        same = "identical findings on every engine and worker count" if len(digests) == 1 \
            else f"DIFFERENT findings: {sorted(digests)}"
        print(f"{kind}: {same}")
        # load-independent figures from CPU time: all the work in one process (local, 1
        # worker) minus the driver's share under Ray = what one worker does per record
        total, driver = by[kind, "local", 1], by[kind, "ray", 1]
        worker_cpu = max(total["cpu_s"] - driver["cpu_s"], 1e-9)
        print(f"  one core, everything in one process: {total['records'] / total['cpu_s']:.0f} "
              f"records per CPU-second; per Ray worker (job only): "
              f"{total['records'] / worker_cpu:.0f}; driver ceiling under Ray: "
              f"{driver['records'] / max(driver['cpu_s'], 1e-9):.0f} records/s")
    if out:
        out.write_text(json.dumps([{"scan": k, "input": n, "engine": e, "workers": w, **r}
                                   for k, n, e, w, r in rows], indent=2))


if __name__ == "__main__":
    main()
