"""Fit govern's learned span filter and ship it: govern/pii/models/span_filter.json.

    .venv/bin/python bench/pii_fit_filter.py              # extract candidates, then fit
    .venv/bin/python bench/pii_fit_filter.py --refit      # fit from the shipped extract only

Extraction runs govern's analyzer on the fitting splits only (WNUT-17 train.conll and the
fitting half of the presidio-evaluator sentences, see bench/pii_sets.py), labels every
PERSON/LOCATION candidate by overlap with a gold name or place (a place inside a labelled
street address counts), and stores the rows in bench/data/pii_filter_fit.jsonl.gz. The
reporting splits (WNUT-17 dev, the other synthetic half, the chat benchmark) are never read.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import pii_sets

ROOT = Path(__file__).resolve().parent.parent
EXTRACT = ROOT / "bench" / "data" / "pii_filter_fit.jsonl.gz"
MODEL = ROOT / "govern" / "pii" / "models" / "span_filter.json"
SETS = ("wnut17", "synthetic")
MATCH = {"PERSON": {"PERSON"}, "LOCATION": {"LOCATION", "STREET_ADDRESS"}}
VERSION = 1


def extract() -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from pii_common import govern_analyzer
    analyzer = govern_analyzer()
    rows = []
    for name in SETS:
        records = pii_sets.load(name, "fit")
        found = analyzer.candidate_features([r["text"] for r in records])
        for i, (rec, cands) in enumerate(zip(records, found)):
            for entity, start, end, feats in cands:
                label = any(g["type"] in MATCH[entity] and g["start"] < end and start < g["end"]
                            for g in rec["spans"])
                rows.append({"set": name, "record": i, "entity": entity, "start": start,
                             "end": end, "label": int(label), "features": feats})
        print(f"{name}: {len(records)} records, {sum(len(c) for c in found)} candidates", flush=True)
    return rows


def write_extract(rows: list[dict]) -> None:
    data = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows)
    with gzip.GzipFile(EXTRACT, "wb", mtime=0) as f:
        f.write(data.encode("utf-8"))


def read_extract(path: Path = EXTRACT) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def fitted_on() -> dict:
    return {"extract": "bench/data/pii_filter_fit.jsonl.gz",
            "sets": {"wnut17": "wnut17/train.conll (shared data)",
                     "synthetic": f"presidio-evaluator templates (even lines), seed {pii_sets.SEEDS['fit']}"}}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refit", action="store_true", help="fit from the shipped extract only")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from govern.pii.train_filter import dumps, fit
    if not args.refit:
        write_extract(extract())
    rows = read_extract()
    model = fit(rows, version=VERSION, fitted_on=fitted_on())
    MODEL.write_text(dumps(model), encoding="utf-8")
    print(f"{len(rows)} rows, {len(model['weights'])} weights -> {MODEL.relative_to(ROOT)}")
    for entity, c in model["out_of_fold"].items():
        print(f"  {entity:9s} threshold {model['thresholds'][entity]:.3f}  out-of-fold precision "
              f"{c['precision']:.3f} recall {c['recall']:.3f} ({c['positives']}/{c['candidates']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
