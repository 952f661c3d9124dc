"""Per-item checks for generated text and the suite-level metrics computed from per-item results.

Every suite metric is a function of the per-item results alone, so a report can recompute it
from the stored items and the paired bootstrap can resample items.
"""
from __future__ import annotations

import json
import re
import unicodedata

import numpy as np


def normalize(text: str) -> str:
    """Case, accents, punctuation and runs of whitespace do not count."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _json_valid(output: str, schema: dict) -> bool:
    import jsonschema
    try:
        value = json.loads(output.strip())
    except json.JSONDecodeError:
        return False
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def check_generation(metric: str, output: str, item: dict, meta: dict) -> bool:
    """Does one generated output pass the suite's check?"""
    ref = str(item.get("reference", ""))
    if metric == "exact_match":
        return output.strip() == ref.strip()
    if metric == "normalized_match":
        return normalize(output) == normalize(ref)
    if metric == "contains":
        return normalize(ref) in normalize(output)
    if metric == "regex":
        return re.fullmatch(item.get("pattern") or meta["pattern"], output.strip()) is not None
    if metric == "json_schema":
        return _json_valid(output, item.get("schema") or meta["schema"])
    raise ValueError(metric)


def pass_rate(items: list[dict]) -> float:
    return float(np.mean([bool(i["pass"]) for i in items])) if items else float("nan")


def macro_f1(items: list[dict]) -> float:
    from sklearn.metrics import f1_score
    if not items:
        return float("nan")
    return float(f1_score([i["label"] for i in items], [i["prediction"] for i in items],
                          average="macro", zero_division=0))


def accuracy(items: list[dict]) -> float:
    from sklearn.metrics import accuracy_score
    if not items:
        return float("nan")
    return float(accuracy_score([i["label"] for i in items], [i["prediction"] for i in items]))


def mean_score(items: list[dict]) -> float:
    return float(np.mean([i["score"] for i in items])) if items else float("nan")


# metric -> (function of per-item results, paired pass/fail?, higher is better)
METRICS = {
    "accuracy": (accuracy, True, True),
    "macro_f1": (macro_f1, False, True),
    "exact_match": (pass_rate, True, True),
    "normalized_match": (pass_rate, True, True),
    "contains": (pass_rate, True, True),
    "regex": (pass_rate, True, True),
    "json_schema": (pass_rate, True, True),
    "triplet_accuracy": (pass_rate, True, True),
    "mean_log_likelihood": (mean_score, False, True),
}


def suite_metrics(kind: str, metric: str, items: list[dict]) -> dict:
    """All metrics the suite reports; its primary metric under its own name."""
    out = {metric: METRICS[metric][0](items), "count": len(items)}
    if kind == "classification":
        out["accuracy"], out["macro_f1"] = accuracy(items), macro_f1(items)
    if kind == "likelihood":
        from govern.evaluate.causal import perplexity
        out["perplexity"] = perplexity(items)
    if kind == "similarity":
        out["mean_margin"] = mean_score(items)
    # an empty subset has no score: null, never NaN, in stored JSON
    return {k: (None if v != v else round(v, 6)) if isinstance(v, float) else v
            for k, v in out.items()}
