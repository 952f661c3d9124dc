"""GPU benchmark of LoRA SFT: stock peft + transformers `Trainer` defaults against govern's
training engine (the same code `govern train` runs), on one GPU and under torchrun (DDP).

    python bench/train_setup.py DIR                       # model, tokenizer, chat data
    python bench/train_gpu.py stock DIR --batch 8         # peft + Trainer defaults
    python bench/train_gpu.py govern DIR --batch 8 --accum 2 --tag one
    torchrun --nproc_per_node 2 bench/train_gpu.py govern DIR --batch 8 --tag two
    python bench/train_gpu.py report DIR                  # table, ratios, MFU

Tokens/s counts real (non-padding) tokens: steps/s after warm-up x sequences per step x the
mean real tokens per sequence. MFU uses 4N + 12 * layers * hidden * seq FLOPs per token
against 989 TFLOP/s (H200 dense bf16). Results land in DIR/results/*.json.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

PEAK = 989e12
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def timer():
    import torch
    from transformers import TrainerCallback

    class Timer(TrainerCallback):
        def __init__(self):
            self.marks = []

        def on_step_end(self, args, state, control, **kw):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.marks.append((state.global_step, time.perf_counter()))
    return Timer()


def load_records(d: Path) -> list[dict]:
    return [json.loads(line) for line in open(d / "data.jsonl")]


def run_stock(a) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq,
                              Trainer, TrainingArguments)
    model_dir = a.dir / "model"
    tok = AutoTokenizer.from_pretrained(model_dir)
    texts = [tok.apply_chat_template(r["messages"], tokenize=False) for r in load_records(a.dir)]
    data = []
    for t in texts:
        ids = tok(t, truncation=True, max_length=a.seq, add_special_tokens=False)["input_ids"]
        data.append({"input_ids": ids, "labels": list(ids)})
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16)
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=TARGETS,
                                             task_type="CAUSAL_LM"))
    t = timer()
    args = TrainingArguments(output_dir=str(a.dir / "stock-out"), per_device_train_batch_size=a.batch,
                             gradient_accumulation_steps=a.accum, max_steps=a.warmup + a.steps,
                             bf16=torch.cuda.is_available(), report_to="none", save_strategy="no", logging_steps=5,
                             disable_tqdm=True)
    Trainer(model=model, args=args, train_dataset=data, callbacks=[t],
            data_collator=DataCollatorForSeq2Seq(tok)).train()
    return finish(a, t, sum(len(d["input_ids"]) for d in data) / len(data), {})


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
    for i, rec in enumerate(load_records(a.dir)):
        c = canonical_json(rec)
        rows.append((i, c, record_digest(c), "data.jsonl", i + 1))
    sid = snapshot_id(r[2] for r in rows)
    config = {**defaults(), "max_length": a.seq, "batch_size": a.batch, "grad_accum": a.accum,
              "max_steps": a.warmup + a.steps, "kernels": a.kernels,
              "compile": {"auto": "auto", "on": True, "off": False}[a.compile],
              "attention": a.attention,
              "logging_steps": 5, "precision": "auto", "r": 16, "alpha": 32}
    t = timer()
    result = fit(rows, sid, "chat", model_dir, out, config, show_progress=False, callbacks=[t])
    mean = result.tokens / result.metrics["sequences"]
    extra = {k: result.metrics["runtime"][k] for k in ("kernels", "compile", "attention")}
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
    res = {"tag": a.tag, "mode": a.mode, "world": world, "batch": a.batch, "accum": a.accum,
           "seq": a.seq, "mean_tokens_per_sequence": mean_tokens, "step_s": secs / steps,
           "tokens_per_s": tps, "rank": int(os.environ.get("RANK", 0)),
           "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else 0.0,
           "device": torch.cuda.get_device_name() if cuda else "cpu", **extra}
    out = a.dir / "results"
    out.mkdir(exist_ok=True)
    (out / f"{a.tag}-rank{res['rank']}.json").write_text(json.dumps(res, indent=1, default=str))
    print(json.dumps({k: v for k, v in res.items() if k not in ("verify", "manifest_devices")},
                     default=str), flush=True)
    return res


def report(a) -> None:
    from train_setup import SHAPE
    n = 1.2358e9
    flops = 4 * n + 12 * SHAPE["num_hidden_layers"] * SHAPE["hidden_size"] * a.seq
    res = {}
    for p in sorted((a.dir / "results").glob("*-rank0.json")):
        r = json.loads(p.read_text())
        res[r["tag"]] = r
    base = next((r for t, r in res.items() if r["mode"] == "stock"), None)
    print(f"{'run':<14}{'GPUs':>5}{'tok/s':>10}{'xstock':>8}{'MFU%':>7}{'peak GiB':>10}{'step s':>8}")
    for tag, r in res.items():
        mems = [json.loads(p.read_text())["peak_mem_gib"] for p in (a.dir / "results").glob(f"{tag}-rank*.json")]
        mfu = r["tokens_per_s"] * flops / (PEAK * r["world"]) * 100
        ratio = r["tokens_per_s"] / base["tokens_per_s"] if base else float("nan")
        print(f"{tag:<14}{r['world']:>5}{r['tokens_per_s']:>10.0f}{ratio:>8.2f}{mfu:>7.1f}"
              f"{'/'.join(f'{m:.1f}' for m in sorted(mems)):>10}{r['step_s']:>8.3f}")
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
    ap.add_argument("--compile", default="auto", choices=["auto", "on", "off"])
    ap.add_argument("--kernels", default="auto", choices=["auto", "none", "liger"])
    ap.add_argument("--attention", default="auto", choices=["auto", "sdpa", "flex_attention", "eager"])
    ap.add_argument("--tag", default=None)
    a = ap.parse_args()
    a.tag = a.tag or f"{a.mode}-b{a.batch}"
    {"stock": run_stock, "govern": run_govern, "report": report}[a.mode](a)


if __name__ == "__main__":
    main()
