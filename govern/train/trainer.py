"""The training engine: verified records in, a peft adapter out, through transformers' Trainer.

Runs unchanged on CPU, one GPU, or several processes under `accelerate launch` / `torchrun`
(DDP; the Trainer reads the launcher's environment). Ctrl-C saves a resumable checkpoint.
"""
from __future__ import annotations

import os
import platform
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from govern import __version__ as govern_version
from govern.errors import GovernError, InputError
from govern.train import data as D
from govern.train.losswatch import loss_watch
from govern.train.model import load_lora_model, load_tokenizer, tokenizer_digests


class Interrupted(GovernError):
    """Ctrl-C during training: a checkpoint was saved; exit 130 like any interrupted command."""

    exit_code = 130


@dataclass
class FitResult:
    adapter_dir: Path
    records: int
    tokens: int
    labels: list[str] | None
    tokenizer: dict
    metrics: dict
    devices: list[dict] = field(default_factory=list)
    rank: int = 0


def build_examples(rows: Iterable[tuple], snapshot_id: str, layout: str, tokenizer, config: dict,
                   cache_dir: Path | None = None, tokenizer_digest: str = ""):
    """Verify every record, then encode them as datasets.Dataset objects (tokenised with
    `map`, cached by snapshot id in cache_dir); returns (train, eval, labels, n_records)."""
    from govern.train.dataset import encoded_sets
    records = list(D.verified_records(rows, snapshot_id))   # the whole snapshot is checked first
    cls = config["task"] == "classification"
    labels = None
    if cls:
        lf, tf = config["label_field"], config["text_field"]
        missing = [r for r, rec, _ in records if tf not in rec or lf not in rec]
        if missing:
            raise InputError(f"record {missing[0]} lacks {tf!r} or {lf!r}",
                             hint="set text_field / label_field for classification")
        labels = sorted({str(rec[lf]) for _, rec, _ in records})
        ids = {l: i for i, l in enumerate(labels)}

        def encode(rec):
            return D.encode_classification(tokenizer, rec, tf, lf, ids, config["max_length"])
    else:
        def encode(rec):
            return D.encode_causal(tokenizer, rec, layout, config["max_length"])

    def held_out(digest: str) -> bool:
        # a record's place in the eval split depends only on its digest, not on the order
        return int(digest[:8], 16) % 10_000 < config["eval_fraction"] * 10_000
    key = {"snapshot": snapshot_id, "tokenizer": tokenizer_digest, "layout": layout,
           "govern": govern_version,
           "labels": labels, "eval_fraction": config["eval_fraction"],
           **{k: config[k] for k in ("task", "max_length", "text_field", "label_field")}}
    train, held = encoded_sets(records, encode, held_out, key,
                               cache_dir if tokenizer_digest else None)
    if not cls and config["packing"]:
        train, held = train.to_list(), held.to_list()
    if not cls and config["packing"]:
        train, held = D.pack(train, config["max_length"]), D.pack(held, config["max_length"])
    return train, held, labels, len(records)


def effective(config: dict) -> dict:
    """What the "auto" choices mean on this machine (recorded in the manifest).

    Measured on an H200 (docs/train.md): compiled + flex attention over packed rows is the
    fastest path; liger-kernel saves memory but is slower than inductor once compiled."""
    import torch
    cuda = torch.cuda.is_available()
    compile_ = cuda if config["compile"] == "auto" else bool(config["compile"])
    packed = config["task"] == "causal-lm" and config["packing"]
    attention = config["attention"]
    if attention == "auto":
        attention = "flex_attention" if cuda and packed else "sdpa"
    kernels = config["kernels"]
    if kernels == "auto" and compile_:
        kernels = "none"
    return {"compile": compile_, "attention": attention, "kernels": kernels}


def _precision(config: dict) -> tuple:
    import torch
    want = config["precision"]
    if want == "auto":
        want = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
    return want, {"bf16": torch.bfloat16, "fp16": torch.float32, "fp32": torch.float32}[want]


def _arguments(out: Path, config: dict, precision: str, has_eval: bool, show_progress: bool,
               compile_: bool):
    import torch
    from transformers import TrainingArguments
    cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=str(out / "checkpoints"), per_device_train_batch_size=config["batch_size"],
        per_device_eval_batch_size=config["batch_size"],
        gradient_accumulation_steps=config["grad_accum"], learning_rate=config["learning_rate"],
        lr_scheduler_type=config["lr_scheduler"], warmup_steps=config["warmup_ratio"],
        weight_decay=config["weight_decay"], num_train_epochs=config["epochs"],
        max_steps=config["max_steps"] or -1, seed=config["seed"], data_seed=config["seed"],
        bf16=precision == "bf16", fp16=precision == "fp16", use_cpu=not cuda,
        logging_steps=config["logging_steps"], report_to="none", remove_unused_columns=False,
        save_strategy="steps" if config["save_steps"] else "no", save_steps=config["save_steps"] or 500,
        eval_strategy="epoch" if has_eval else "no", disable_tqdm=not show_progress,
        ddp_find_unused_parameters=False, torch_compile=compile_,
        # the default filter reads every micro-batch's loss on the host (isnan/isinf), a device
        # sync that left the GPU idle while the next batch was collated; NaN losses now show
        logging_nan_inf_filter=False,
        optim="adamw_torch_fused" if cuda else "adamw_torch", dataloader_pin_memory=cuda)


def _stop_on_interrupt():
    """A callback that turns Ctrl-C into 'save a checkpoint and stop' at the next step end."""
    from transformers import TrainerCallback

    class StopOnInterrupt(TrainerCallback):
        interrupted = False

        def on_train_begin(self, args, state, control, **kw):
            self._previous = signal.signal(signal.SIGINT, self._handle)

        def _handle(self, *_):
            self.interrupted = True

        def on_step_end(self, args, state, control, **kw):
            if self.interrupted:
                control.should_save = control.should_training_stop = True

        def on_train_end(self, args, state, control, **kw):
            signal.signal(signal.SIGINT, self._previous)

    return StopOnInterrupt()


def _devices(torch) -> list[dict]:
    """Every process's device, gathered on each rank (one entry per process)."""
    dev = {"rank": int(os.environ.get("RANK", 0)), "type": "cuda" if torch.cuda.is_available() else "cpu"}
    if dev["type"] == "cuda":
        dev.update(name=torch.cuda.get_device_name(), index=torch.cuda.current_device())
    else:
        dev.update(name=platform.processor() or "cpu", threads=torch.get_num_threads())
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        out = [None] * torch.distributed.get_world_size()
        torch.distributed.all_gather_object(out, dev)
        return out
    return [dev]


def fit(rows: Iterable[tuple], snapshot_id: str, layout: str, model_dir: Path, out: Path,
        config: dict, resume: bool = False, show_progress: bool | None = None,
        callbacks: list | None = None, cache_dir: Path | None = None) -> FitResult:
    """Train a LoRA adapter on the verified records; writes the adapter into `out`."""
    import torch
    from transformers import Trainer, set_seed
    out = Path(out)
    set_seed(config["seed"])
    tokenizer = load_tokenizer(model_dir)
    tok_digests = tokenizer_digests(model_dir, tokenizer)
    train, held, labels, n = build_examples(rows, snapshot_id, layout, tokenizer, config,
                                            cache_dir, tok_digests["digest"])
    if not train:
        raise InputError("no training examples after encoding", hint="check max_length and the task")
    precision, dtype = _precision(config)
    runtime = {**effective(config), "precision": precision}
    set_seed(config["seed"])            # LoRA and head initialisation depend only on the seed
    model = load_lora_model(model_dir, {**config, **runtime}, dtype, labels)
    show = sys.stderr.isatty() if show_progress is None else show_progress
    args = _arguments(out, config, precision, bool(held), show, runtime["compile"])
    stopper, watch = _stop_on_interrupt(), loss_watch()
    # compiled graphs want one shape: pad packed rows to max_length instead of the batch's longest
    width = config["max_length"] if runtime["compile"] and config["packing"] else None
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=held or None,
                      data_collator=D.Collator(tokenizer.pad_token_id, width),
                      callbacks=[stopper, watch, *(callbacks or [])])
    ckpt = resume and any((out / "checkpoints").glob("checkpoint-*"))
    result = trainer.train(resume_from_checkpoint=True if ckpt else None)
    if stopper.interrupted:
        raise Interrupted("training interrupted; a resumable checkpoint was saved",
                          hint=f"run the same command with --resume (checkpoints in {out / 'checkpoints'})")
    metrics = {"loss_curve": [[h["step"], h["loss"]] for h in trainer.state.log_history if "loss" in h],
               "train_loss": result.training_loss, "steps": trainer.state.global_step,
               "runtime_s": result.metrics.get("train_runtime"),
               "sequences": len(train), "warnings": watch.warnings,
               "runtime": {**runtime, "kernels": getattr(model.get_base_model(), "govern_kernels", "none"),
                           "fused_loss": getattr(model.get_base_model(), "govern_fused_loss", False)}}
    if held:
        metrics["eval"] = {k: v for k, v in trainer.evaluate().items() if isinstance(v, (int, float))}
    tokens = sum(len(e["input_ids"]) for e in train)
    devices = _devices(torch)
    rank = int(os.environ.get("RANK", 0))
    if trainer.is_world_process_zero():
        out.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out)
    return FitResult(out, n, tokens, labels, tok_digests, metrics,
                     devices, rank)
