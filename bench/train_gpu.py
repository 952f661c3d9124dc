"""GPU benchmark of LoRA SFT: stock peft + transformers `Trainer` against govern's training
engine (the same code `govern train` runs), on one GPU and under torchrun (DDP).

    python bench/train_setup.py DIR                       # model, tokenizer, chat data
    python bench/train_gpu.py stock DIR --batch 8         # peft + Trainer, padded chat records
    python bench/train_gpu.py stock DIR --batch 8 --layout full   # stock on full rows, no padding
    python bench/train_gpu.py govern DIR --batch 16 --accum 2 --tag govern
    torchrun --nproc_per_node 2 bench/train_gpu.py govern DIR --batch 8 --tag two
    python bench/train_gpu.py report DIR                  # table, both stock ratios, MFU, memory

Two stock baselines, both peft + `Trainer` defaults (SDPA attention, micro-batch 8):
- `--layout padded`: one chat record per row, `DataCollatorForSeq2Seq` padding to the batch's
  longest (what a user who tokenizes a chat set and hands it to the Trainer gets);
- `--layout full`: the same records' tokens concatenated and cut into full `seq`-token rows
  (no padding, no attention mask: the best case for stock, as `group_texts` or TRL's
  `packing=True` without padding-free attention gives).

Tokens/s counts real (non-padding) tokens: steps/s after warm-up x sequences per step x the
mean real tokens per sequence. MFU uses 4N + 12 * layers * hidden * seq FLOPs per token
against 989 TFLOP/s (H200 dense bf16). `--profile K` records K more steps after the timed ones
with torch.profiler and writes the kernel table. Results land in DIR/results/*.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

PEAK = 989e12
PARAMS = 1.2358e9
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
DATA = {"chat": "data.jsonl", "long": "data-long.jsonl"}


def flops_per_token(seq: int) -> float:
    from train_setup import SHAPE
    return 4 * PARAMS + 12 * SHAPE["num_hidden_layers"] * SHAPE["hidden_size"] * seq


def callbacks(a):
    """A step timer, and a profiler over the `--profile` steps after the timed ones."""
    import torch
    from transformers import TrainerCallback
    last = a.warmup + a.steps

    class Timer(TrainerCallback):
        def __init__(self):
            self.marks, self.prof, self.table = [], None, None

        def on_step_begin(self, args, state, control, **kw):
            if a.profile and state.global_step == last and torch.cuda.is_available():
                torch.cuda.synchronize()
                self.prof = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU,
                                                               torch.profiler.ProfilerActivity.CUDA])
                self.prof.__enter__()
                self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            # the device is synchronised only where the timed window starts and ends, so the
            # host runs ahead between them as it does in a real run
            if state.global_step in (a.warmup, last):
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                self.marks.append((state.global_step, time.perf_counter()))
            if self.prof is not None and state.global_step == last + a.profile:
                wall = time.perf_counter() - self.t0
                self.prof.__exit__(None, None, None)
                self.table = kernel_table(self.prof, wall, a.profile)
                self.prof = None
    return Timer()


KINDS = [("gemm (cuBLAS/CUTLASS)", ("gemm", "xmma", "cutlass", "nvjet", "sm90_")),
         ("flex attention", ("flex", "triton_tem_fused")),
         ("sdpa / flash attention", ("flash", "fmha", "efficient_attention", "attention")),
         ("triton fused (inductor)", ("triton_",)),
         ("elementwise / reduce (aten)", ("elementwise", "reduce", "vectorized", "index", "scatter",
                                          "gather", "copy", "fill", "cat", "softmax", "loss"))]


def kernel_table(prof, wall: float, steps: int) -> str:
    """Top kernels by device time, device time by kind, and host gaps (wall minus busy)."""
    rows = []
    for e in prof.key_averages():
        t = getattr(e, "self_device_time_total", None)
        if t is None:
            t = getattr(e, "self_cuda_time_total", 0)
        if t and getattr(e, "device_type", None) is not None and "CUDA" in str(e.device_type):
            rows.append((t, e.count, e.key))
    rows.sort(reverse=True)
    busy = sum(t for t, _, _ in rows) / 1e6
    kinds = {}
    for t, _, name in rows:
        low = name.lower()
        kind = next((k for k, keys in KINDS if any(s in low for s in keys)), "other")
        kinds[kind] = kinds.get(kind, 0) + t / 1e6
    lines = [f"profiled {steps} optimizer steps: wall {wall:.3f} s, kernels busy {busy:.3f} s "
             f"({busy / wall * 100:.1f}%), idle {wall - busy:.3f} s"]
    lines += [f"  {k:<30}{v:8.3f} s {v / wall * 100:6.1f}%" for k, v in sorted(kinds.items(), key=lambda x: -x[1])]
    lines.append(f"{'ms/step':>9} {'%wall':>6} {'calls':>7}  kernel")
    for t, n, name in rows[:25]:
        lines.append(f"{t / 1e3 / steps:9.2f} {t / 1e6 / wall * 100:6.1f} {n // steps:7d}  {name[:110]}")
    return "\n".join(lines)


def load_records(a) -> list[dict]:
    return [json.loads(line) for line in open(a.dir / DATA[a.data])]


def run_stock(a) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq,
                              Trainer, TrainingArguments)
    model_dir = a.dir / "model"
    tok = AutoTokenizer.from_pretrained(model_dir)
    texts = [tok.apply_chat_template(r["messages"], tokenize=False) for r in load_records(a)]
    data = []
    if a.layout == "padded":
        for t in texts:
            ids = tok(t, truncation=True, max_length=a.seq, add_special_tokens=False)["input_ids"]
            data.append({"input_ids": ids, "labels": list(ids)})
    else:   # every record's tokens (truncated as govern truncates), one stream, full rows
        stream = [i for t in texts
                  for i in tok(t, truncation=True, max_length=a.seq, add_special_tokens=False)["input_ids"]]
        data = [{"input_ids": stream[s:s + a.seq], "labels": stream[s:s + a.seq]}
                for s in range(0, len(stream) - a.seq + 1, a.seq)]
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16)
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=TARGETS,
                                             task_type="CAUSAL_LM"))
    t = callbacks(a)
    args = TrainingArguments(output_dir=str(a.dir / "stock-out"), per_device_train_batch_size=a.batch,
                             gradient_accumulation_steps=a.accum, max_steps=a.warmup + a.steps + a.profile,
                             bf16=torch.cuda.is_available(), report_to="none", save_strategy="no",
                             logging_steps=a.logging_steps, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=data, callbacks=[t],
                      data_collator=DataCollatorForSeq2Seq(tok))
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return finish(a, t, sum(len(d["input_ids"]) for d in data) / len(data),
                  {"layout": a.layout, "losses": losses})


def run_govern(a) -> dict:
    from govern.digests import canonical_json
    from govern.snapshot.create import record_digest, snapshot_id
    from govern.train.config import defaults
    from govern.train.manifest import verify_adapter, write_outputs
    from govern.train.model import model_digests
    from govern.train.run import build_manifest
    from govern.train.trainer import fit
    model_dir, out = a.dir / "model", a.dir / f"adapter-{a.tag}"
    rows = []
    for i, rec in enumerate(load_records(a)):
        c = canonical_json(rec)
        rows.append((i, c, record_digest(c), DATA[a.data], i + 1))
    sid = snapshot_id(r[2] for r in rows)
    config = {**defaults(), "max_length": a.seq, "batch_size": a.batch, "grad_accum": a.accum,
              "max_steps": a.warmup + a.steps + a.profile, "kernels": a.kernels,
              "compile": {"auto": "auto", "on": True, "off": False}[a.compile],
              "attention": a.attention, "fused_loss": {"auto": "auto", "off": False}[a.fused_loss],
              "logging_steps": a.logging_steps, "precision": "auto", "r": 16, "alpha": 32}
    t = callbacks(a)
    result = fit(rows, sid, "chat", model_dir, out, config, show_progress=False, callbacks=[t])
    mean = result.tokens / result.metrics["sequences"]
    extra = {k: result.metrics["runtime"].get(k) for k in ("kernels", "compile", "attention", "fused_loss")}
    extra["losses"] = [l for _, l in result.metrics["loss_curve"]]
    extra["adapter_sha256"] = hashlib.sha256((out / "adapter_model.safetensors").read_bytes()).hexdigest() \
        if result.rank == 0 else None
    import torch
    if torch.cuda.is_available():     # the timed run's peak, before any repeat
        extra["peak_mem_gib"] = torch.cuda.max_memory_allocated() / 2**30
    if a.repeat and result.rank == 0:
        # same seed, same machine: the adapter must repeat bit for bit. The repeat reads the
        # loss at every step (logging does not touch the numbers), for the loss comparison.
        again = a.dir / f"adapter-{a.tag}-repeat"
        rep = fit(rows, sid, "chat", model_dir, again, {**config, "logging_steps": 1}, show_progress=False)
        extra["repeat_sha256"] = hashlib.sha256((again / "adapter_model.safetensors").read_bytes()).hexdigest()
        extra["step_losses"] = [l for _, l in rep.metrics["loss_curve"]]
    elif a.logging_steps == 1:
        extra["step_losses"] = extra["losses"]
    if result.rank == 0:
        base = {"name": str(model_dir), **model_digests(model_dir)}
        manifest = build_manifest(result, config, base, {"id": sid, "name": "bench", "records": len(rows),
                                                         "layout": "chat"}, None)
        write_outputs(out, manifest)
        extra["verify"] = verify_adapter(out)
        extra["manifest_devices"] = manifest["devices"]
    return finish(a, t, mean, extra)


def finish(a, t, mean_tokens, extra) -> dict:
    import torch
    world = int(os.environ.get("WORLD_SIZE", 1))
    cuda = torch.cuda.is_available()
    marks = [m for m in t.marks if m[0] >= a.warmup]
    steps, secs = marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1]
    seqs = a.batch * a.accum * world
    tps = steps / secs * seqs * mean_tokens
    res = {"tag": a.tag, "mode": a.mode, "data": a.data, "world": world, "batch": a.batch, "accum": a.accum,
           "seq": a.seq, "logging_steps": a.logging_steps, "mean_tokens_per_sequence": mean_tokens, "step_s": secs / steps,
           "tokens_per_s": tps, "mfu": tps * flops_per_token(a.seq) / PEAK * 100,
           "rank": int(os.environ.get("RANK", 0)),
           "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else 0.0,
           "device": torch.cuda.get_device_name() if cuda else "cpu"}
    res.update(extra)
    out = a.dir / "results"
    out.mkdir(exist_ok=True)
    (out / f"{a.tag}-rank{res['rank']}.json").write_text(json.dumps(res, indent=1, default=str))
    if t.table and res["rank"] == 0:
        (out / f"{a.tag}-profile.txt").write_text(t.table + "\n")
        print(f"--- {a.tag} profile\n{t.table}", flush=True)
    print(json.dumps({k: v for k, v in res.items()
                      if k not in ("verify", "manifest_devices", "losses", "step_losses")},
                     default=str), flush=True)
    return res


def report(a) -> None:
    res = {}
    for p in sorted((a.dir / "results").glob("*-rank0.json")):
        r = json.loads(p.read_text())
        res[r["tag"]] = r

    def stock(layout, seq):
        return next((r for r in res.values() if r["mode"] == "stock" and r.get("layout", "padded") == layout
                     and r["seq"] == seq), None)
    print(f"{'run':<20}{'seq':>6}{'GPUs':>5}{'tok/s':>9}{'x padded':>9}{'x full':>8}{'MFU%':>7}"
          f"{'peak GiB':>10}{'step s':>8}")
    for tag, r in res.items():
        mems = [json.loads(p.read_text())["peak_mem_gib"] for p in (a.dir / "results").glob(f"{tag}-rank*.json")]
        mfu = r["tokens_per_s"] * flops_per_token(r["seq"]) / (PEAK * r["world"]) * 100
        ratios = [r["tokens_per_s"] / s["tokens_per_s"] if (s := stock(lay, r["seq"])) else float("nan")
                  for lay in ("padded", "full")]
        tag = tag + (" *" if r.get("logging_steps") == 1 else "")
        print(f"{tag:<20}{r['seq']:>6}{r['world']:>5}{r['tokens_per_s']:>9.0f}{ratios[0]:>9.2f}{ratios[1]:>8.2f}"
              f"{mfu:>7.1f}{'/'.join(f'{m:.1f}' for m in sorted(mems)):>10}{r['step_s']:>8.3f}")
    print("x padded / x full: tokens/s over stock peft + Trainer at the same seq on padded chat records / "
          "on full rows with no padding (best case for stock); * = loss read (device synchronised) every step")
    fused, unfused = res.get("govern"), res.get("govern-unfused")
    if fused and unfused and fused.get("step_losses") and unfused.get("step_losses"):
        la, lb = fused["step_losses"][:20], unfused["step_losses"][:20]
        worst = max(abs(x - y) / max(abs(y), 1e-9) for x, y in zip(la, lb))
        print(f"first {len(la)} losses, fused loss vs stock loss (same seed): max relative difference {worst:.2e}")
        print("  fused:   " + " ".join(f"{x:.4f}" for x in la))
        print("  unfused: " + " ".join(f"{x:.4f}" for x in lb))
    for tag, r in res.items():
        if r.get("repeat_sha256"):
            print(f"{tag}: adapter sha256 {r['adapter_sha256'][:16]}, same seed again {r['repeat_sha256'][:16]}"
                  f" -> bit-identical: {r['repeat_sha256'] == r['adapter_sha256']}")
    two = res.get("two") or res.get("two-b16")
    one = next((r for r in res.values() if two and r["mode"] == "govern" and r["world"] == 1
                and r["batch"] == two["batch"] and r["accum"] == 2
                and all(r.get(k) == two.get(k) for k in ("kernels", "compile", "attention"))), None)
    if one:
        print(f"scaling 2 GPUs ({two['tag']}) / 1 GPU ({one['tag']}), same global batch: "
              f"{two['tokens_per_s'] / one['tokens_per_s']:.2f}x")
    if two and "verify" in two:
        print(f"2-GPU adapter verify: {two['verify']}; manifest devices: {two['manifest_devices']}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["stock", "govern", "report"])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--accum", type=int, default=1)
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--data", default="chat", choices=list(DATA))
    ap.add_argument("--layout", default="padded", choices=["padded", "full"], help="stock: padded records or full rows")
    ap.add_argument("--compile", default="auto", choices=["auto", "on", "off"])
    ap.add_argument("--kernels", default="auto", choices=["auto", "none", "liger"])
    ap.add_argument("--attention", default="auto", choices=["auto", "sdpa", "flex_attention", "eager"])
    ap.add_argument("--fused-loss", default="auto", choices=["auto", "off"])
    ap.add_argument("--logging-steps", type=int, default=10)
    ap.add_argument("--profile", type=int, default=0, help="profile this many steps after the timed ones")
    ap.add_argument("--repeat", action="store_true", help="govern: train again with the same seed, compare")
    ap.add_argument("--tag", default=None)
    a = ap.parse_args()
    a.tag = a.tag or f"{a.mode}-b{a.batch}"
    {"stock": run_stock, "govern": run_govern, "report": report}[a.mode](a)


if __name__ == "__main__":
    main()
