"""Build the labelled leakage benchmark in bench/data/leakage/ (deterministic, seed 7).

golden.jsonl      support-ticket golden items {id, text, label}
train.jsonl       same-domain training records: hard negatives (same topics, templates and
                  vocabulary, other details) plus planted leaks; each record says what it is
                  in `bench_kind` ("negative" or a leak kind) and `bench_golden` (leaked item)
Leak kinds: exact, case_space_punct, rewrapped, numbers (edited copies), embedded, word_order,
synonyms (mechanical edits), paraphrase and paraphrase_embedded (hand-written rewordings
that keep the meaning, filled with the golden item's own details).

    python bench/leakage_data.py [--golden 150] [--negatives 3000] [--leaks 60]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from leakage_templates import CLOSERS, FOLLOWUPS, OPENERS, PROBLEMS, slots  # noqa: E402

OUT = Path(__file__).resolve().parent / "data" / "leakage"


def fill(template: str, values: dict) -> str:
    return template.format(**values)


def ticket(rng, topic_items, values=None, paraphrase=False, wrap=True, avoid=None):
    """(text, label, values, problem index, follow-up index) of one composed ticket."""
    p = rng.randrange(len(topic_items))
    topic, original, rewordings = topic_items[p]
    values = values or slots(rng)
    fups = FOLLOWUPS[topic]
    f = rng.choice([k for k in range(len(fups)) if (topic, k) != avoid])
    first = rng.choice(rewordings) if paraphrase else original
    second = rng.choice(fups[f][1]) if paraphrase else fups[f][0]
    body = fill(first, values) + " " + fill(second, values)
    if wrap and rng.random() < 0.6:
        body = rng.choice(OPENERS) + " " + body
    if wrap and rng.random() < 0.6:
        body = body + " " + rng.choice(CLOSERS)
    return body, topic, values, p, f


def paraphrase_of(rng, item):
    topic, original, rewordings = PROBLEMS[item["_p"]]
    fups = FOLLOWUPS[topic][item["_f"]][1]
    text = fill(rng.choice(rewordings), item["_v"]) + " " + fill(rng.choice(fups), item["_v"])
    return (rng.choice(OPENERS) + " " + text) if rng.random() < 0.5 else text


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--golden", type=int, default=150)
    ap.add_argument("--negatives", type=int, default=3000)
    ap.add_argument("--leaks", type=int, default=60, help="golden items planted per kind")
    args = ap.parse_args(argv)
    from govern.leakage.selftest import plant
    rng = random.Random(7)
    golden = []
    for i in range(args.golden):
        text, topic, values, p, f = ticket(rng, PROBLEMS, wrap=False)
        golden.append({"id": f"G{i:04d}", "text": text, "label": topic,
                       "_v": values, "_p": p, "_f": f})
    train = []
    for _ in range(args.negatives):
        if rng.random() < 0.1:  # same details as a golden item, another question
            g = rng.choice(golden)
            others = [k for k, pr in enumerate(PROBLEMS) if k != g["_p"]]
            text, topic, *_ = ticket(rng, [PROBLEMS[rng.choice(others)]], dict(g["_v"]),
                                     paraphrase=rng.random() < 0.5,
                                     avoid=(g["label"], g["_f"]))
        else:
            text, topic, *_ = ticket(rng, PROBLEMS, paraphrase=rng.random() < 0.5)
        train.append({"text": text, "label": topic, "bench_kind": "negative"})
    kinds = ["exact", "case_space_punct", "rewrapped", "numbers", "embedded", "word_order",
             "synonyms", "paraphrase", "paraphrase_embedded"]
    for kind in kinds:
        for g in rng.sample(golden, args.leaks):
            host = rng.choice(train)["text"]
            if kind == "paraphrase":
                text = paraphrase_of(rng, g)
            elif kind == "paraphrase_embedded":
                text = f"{host} Also, {paraphrase_of(rng, g)} {rng.choice(CLOSERS)}"
            else:
                text = plant(g["text"], kind, host, rng)
            if text is not None:
                train.append({"text": text, "label": g["label"], "bench_kind": kind,
                              "bench_golden": g["id"]})
    rng.shuffle(train)
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "golden.jsonl", "w") as f:
        for g in golden:
            f.write(json.dumps({k: v for k, v in g.items() if not k.startswith("_")}) + "\n")
    with open(OUT / "train.jsonl", "w") as f:
        for i, r in enumerate(train):
            f.write(json.dumps({"id": f"T{i:05d}", **r}) + "\n")
    print(f"wrote {len(golden)} golden items and {len(train)} training records to {OUT}")


if __name__ == "__main__":
    main()
