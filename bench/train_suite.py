"""The whole GPU benchmark in one command: builds the inputs, runs stock peft + Trainer (padded
records and full rows) and govern's engine one after the other on one GPU (`--plan one`, the
default), or side by side on a 2-GPU machine with govern under torchrun (`--plan defaults`,
`tuned`, `first`), and prints the table.

    python bench/train_suite.py DIR [--out LOGDIR] [--plan one] [--runs a,b,...] [--profile 2]

`--plan one` runs, in this order: stock-padded and stock-full (seq 2,048, micro-batch 8),
govern (defaults, micro-batch 16 x 2), govern-8192 (long records, seq 8,192, 4 x 2),
govern-unfused (govern with the stock loss, its loss read at every step) and stock-full-8192;
`--runs` picks some of them. Each run times 17 steps after 3 warm-up steps. `--repeat` trains
govern a second time with the same seed, compares the adapters' bytes and reads that run's loss
at every step, so the report can compare the first 20 losses of the fused and the stock loss.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {"NCCL_NVLS_ENABLE": "0", "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1", "NVSHMEM_DISABLE_NVLS": "1",
       "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}


# the single-GPU plan: name -> train_gpu.py arguments (mode first)
ONE = {"stock-padded": ["stock", "--batch", "8", "--seq", "2048", "--layout", "padded"],
       "stock-full": ["stock", "--batch", "8", "--seq", "2048", "--layout", "full"],
       "govern": ["govern", "--batch", "16", "--accum", "2", "--seq", "2048"],
       "govern-8192": ["govern", "--batch", "4", "--accum", "2", "--seq", "8192", "--data", "long"],
       "govern-unfused": ["govern", "--batch", "16", "--accum", "2", "--seq", "2048", "--fused-loss", "off",
                          "--logging-steps", "1"],
       "stock-full-8192": ["stock", "--batch", "2", "--seq", "8192", "--layout", "full", "--data", "long"]}


def start(args: list[str], gpus: str, log, torchrun: bool = False) -> subprocess.Popen:
    env = {**os.environ, **ENV, "CUDA_VISIBLE_DEVICES": gpus,
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    head = ([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(len(gpus.split(",")))]
            if torchrun else [sys.executable])
    log.write(f"\n$ CUDA_VISIBLE_DEVICES={gpus} {' '.join(head + args)}\n")
    log.flush()
    return subprocess.Popen(head + args, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait(procs: list[subprocess.Popen], limit: float) -> list[int]:
    end = time.time() + limit
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(timeout=max(1, end - time.time())))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(-9)
    return codes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--steps", default="12")
    ap.add_argument("--plan", choices=["one", "first", "tuned", "defaults"], default="one")
    ap.add_argument("--runs", default=",".join(ONE))
    ap.add_argument("--profile", default="0")
    ap.add_argument("--repeat", action="store_true")
    ap.add_argument("--tiny", action="store_true", help="a quick CPU check of the suite itself")
    a = ap.parse_args()
    logdir = a.out or a.dir
    logdir.mkdir(parents=True, exist_ok=True)
    log = open(logdir / "train_bench.log", "w")
    g = str(HERE / "train_gpu.py")
    common = ["--steps", a.steps, "--warmup", "3"] + (["--seq", "256"] if a.tiny else [])
    t0 = time.time()

    def phase(name, runs, limit):
        codes = wait([start(*r) for r in runs], limit)
        print(f"[{time.time() - t0:6.0f}s] {name}: exit {codes}", flush=True)
        return codes

    setup = [str(HERE / "train_setup.py"), str(a.dir)] + (["--tiny", "--records", "40"] if a.tiny else [])
    phase("prepare", [(setup, "0", log)], 200)
    if a.plan == "one":
        seq = "256" if a.tiny else None
        for name in a.runs.split(","):
            args = [g, *ONE[name], str(a.dir), "--tag", name, "--steps", "17" if a.steps == "12" else a.steps,
                    "--warmup", "3", "--profile", a.profile]
            if seq:
                args = [x if x not in ("2048", "8192") else seq for x in args]
            if a.repeat and name == "govern":
                args.append("--repeat")
            phase(name, [(args, "0", log)], 590)
        log.close()
        for p in sorted((a.dir / "results").glob("*-profile.txt")):
            print(f"--- {p.name}\n{p.read_text()}")
        subprocess.run([sys.executable, g, "report", str(a.dir)], check=False)
        (logdir / "train_results.json").write_text(json.dumps(
            {p.stem: json.loads(p.read_text()) for p in sorted((a.dir / "results").glob("*.json"))},
            indent=1, default=str))
        return
    one = [g, "govern", str(a.dir), "--batch", "8", "--accum", "2", *common]
    stock = [g, "stock", str(a.dir), "--batch", "8", *common, "--tag", "stock-b8"]
    if a.plan == "first":
        codes = phase("govern 1 GPU | stock b8", [(one + ["--compile", "off", "--attention", "sdpa", "--tag", "one"], "0", log),
                                               (stock, "1", log)], 150)
        phase("govern no kernels | govern compile", [
            (one + ["--compile", "off", "--attention", "sdpa", "--kernels", "none", "--tag", "one-nokernels"], "0", log),
            *([] if a.tiny else [(one + ["--compile", "on", "--tag", "one-compile"], "1", log)])], 180)
        best = ["--compile", "off", "--attention", "sdpa", "--kernels", "auto" if codes[0] == 0 else "none"]
    elif a.plan == "defaults":   # govern's defaults (auto: compiled, flex attention) at micro-batch 16
        b16 = [g, "govern", str(a.dir), "--batch", "16", *common]
        phase("defaults b16 x2 | defaults b8 x2", [(b16 + ["--accum", "2", "--tag", "one-b16"], "0", log),
                                                  (one + ["--tag", "one-b8-repeat"], "1", log)], 170)
        phase("defaults b16 on 2 GPUs (torchrun)", [(b16 + ["--accum", "1", "--tag", "two-b16"], "0,1", log, True)], 170)
        best = None
    else:   # compiled variants: attention kernel and fused kernels, then the best on 2 GPUs
        variants = {"c-sdpa": ["--compile", "on", "--kernels", "none", "--attention", "sdpa"],
                    "c-flex": ["--compile", "on", "--kernels", "none", "--attention", "flex_attention"],
                    "c-flex-liger": ["--compile", "on", "--kernels", "liger", "--attention", "flex_attention"]}
        tags = list(variants)
        phase(" | ".join(tags[:2]), [(one + variants[t] + ["--tag", t], str(i), log)
                                     for i, t in enumerate(tags[:2])], 160)
        phase(f"{tags[2]} | stock b8", [(one + variants[tags[2]] + ["--tag", tags[2]], "0", log),
                                       (stock, "1", log)], 160)
        speed = {t: json.loads(p.read_text())["tokens_per_s"] for t in tags
                 if (p := a.dir / "results" / f"{t}-rank0.json").exists()}
        best = variants[max(speed, key=speed.get)] if speed else ["--kernels", "none"]
    if best is not None:
        phase(f"govern 2 GPUs (torchrun) {' '.join(best)}", [
          ([g, "govern", str(a.dir), "--batch", "8", "--accum", "1", *best, *common,
            "--tag", "two"], "0,1", log, True)], 160)
    log.close()
    subprocess.run([sys.executable, g, "report", str(a.dir)], check=False)
    results = {p.stem: json.loads(p.read_text()) for p in sorted((a.dir / "results").glob("*.json"))}
    (logdir / "train_results.json").write_text(json.dumps(results, indent=1, default=str))
    for tag in ("two", "two-b16"):
        manifest = a.dir / f"adapter-{tag}" / "govern-manifest.json"
        if manifest.exists():
            shutil.copy(manifest, logdir / f"ddp-{tag}-govern-manifest.json")


if __name__ == "__main__":
    main()
