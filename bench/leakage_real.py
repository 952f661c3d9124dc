"""Real data for the leakage benchmarks and the decision model's fitting (nothing here was
written by the project): GSM8K train vs test with planted copies, and the lmsys-rephrase MMLU
subjects with their LLM rephrasings.

The shared data folder is `$GOVERN_SHARED_DATA`, else `../shared/data` beside the repository.
"""
from __future__ import annotations

import csv
import json
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
SUBJECTS = ["abstract_algebra", "high_school_us_history", "sociology"]
PLANTED = ["exact", "edited", "embedded"]


def shared() -> Path:
    path = Path(os.environ.get("GOVERN_SHARED_DATA") or ROOT.parent / "shared" / "data")
    if not (path / "gsm8k").is_dir():
        sys.exit(f"shared data not found at {path}: set GOVERN_SHARED_DATA")
    return path


def gsm8k(split: str) -> list[str]:
    return [json.loads(line)["question"] for line in open(shared() / "gsm8k" / f"{split}.jsonl")]


def subject(name: str) -> tuple[list[str], list[str | None]]:
    """(questions, their LLM rephrasings aligned by order; None where the rephrasing is empty)."""
    base = shared() / "lmsys-rephrase"
    with open(base / f"{name}_test.csv", newline="") as f:
        questions = [row[0] for row in csv.reader(f)]
    reps = [json.loads(line)["text"].strip() or None
            for line in open(base / f"{name}_rephrase_english.jsonl")]
    assert len(questions) == len(reps), name
    return questions, reps


def edit(text: str, rng: random.Random) -> str:
    """A copy with cosmetic edits: case, spacing, punctuation, one word dropped."""
    out = re.sub(r"[,;](?=\s)", lambda m: rng.choice(["", m.group()]), text)
    ws = out.split()
    plain = [i for i, w in enumerate(ws) if w.isalpha() and len(w) > 3]
    if plain:
        del ws[rng.choice(plain)]
    out = rng.choice([" ", "  "]).join(ws)
    return out.lower() if rng.random() < 0.5 else out.upper()


def gsm8k_planted(folder: Path, per_kind: int = 200, seed: int = 0) -> list[tuple[str, int | None]]:
    """GSM8K train (clean) + `per_kind` planted copies of test questions of each kind written to
    folder/train.jsonl, the test set to folder/golden.jsonl; returns (kind, golden row) per
    training record ("clean", None for the train questions)."""
    rng = random.Random(seed)
    train, test = gsm8k("train"), gsm8k("test")
    records, truth = [{"text": t} for t in train], [("clean", None)] * len(train)
    chosen = rng.sample(range(len(test)), per_kind * len(PLANTED))
    for k, kind in enumerate(PLANTED):
        for g in chosen[k * per_kind:(k + 1) * per_kind]:
            q = test[g]
            text = {"exact": q, "edited": edit(q, rng),
                    "embedded": f"{rng.choice(train)}\n\nAlso solve this one: {q} "
                                f"Show your work."}[kind]
            records.append({"text": text})
            truth.append((kind, g))
    order = list(range(len(records)))
    rng.shuffle(order)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "train.jsonl", "w") as f:
        f.writelines(json.dumps(records[i]) + "\n" for i in order)
    with open(folder / "golden.jsonl", "w") as f:
        f.writelines(json.dumps({"id": str(g), "question": q}) + "\n" for g, q in enumerate(test))
    return [truth[i] for i in order]


def rephrase_cases(name: str):
    """Golden sets and training texts from one subject, both halves in turn: golden = the
    questions of one half; texts = every rephrasing (of that half: leaks; of the other half:
    hard negatives) and the other half's own questions (hard negatives). Yields
    (golden questions, golden item numbers, texts, right golden position or None per text)."""
    questions, reps = subject(name)
    for half in (0, 1):
        gold = [i for i in range(len(questions)) if i % 2 == half]
        pos = {g: p for p, g in enumerate(gold)}
        texts, right = [], []
        for i, r in enumerate(reps):
            if r is not None:
                texts.append(r)
                right.append(pos.get(i))
        for i in range(len(questions)):
            if i % 2 != half:
                texts.append(questions[i])
                right.append(None)
        yield [questions[i] for i in gold], gold, texts, right
