"""Fit the learned span filter (govern.pii.span_filter) from labelled candidates.

Input rows are {"entity", "features", "label"}: every PERSON/LOCATION candidate the analyzer
proposes on a labelled text, with label 1 when it overlaps a gold name or place. The model is
scikit-learn's logistic regression over the features (context words seen fewer than
MIN_COUNT times become <other>); each entity's threshold, where the
precision-recall curve of 5-fold out-of-fold probabilities maximises F2 (recall first: a
missed name lets the gate sign off a false claim), so thresholds are not judged on
rows the model was fitted on. Deterministic: the same rows give the same model.

bench/pii_fit_filter.py extracts the rows (WNUT-17 train and the fitting half of the synthetic
set), stores them in bench/data/pii_filter_fit.jsonl.gz and writes the model.
"""
from __future__ import annotations

import json
from collections import Counter

from govern.pii.span_filter import OTHER

MIN_COUNT = 3
FOLDS = 5
BETA = 2  # recall counts twice: a missed name lets the gate sign off a false claim
C = 1.0
FORMAT = 1


def _context_word(key: str) -> str | None:
    for part in (":prev=", ":next="):
        if part in key:
            return key.split(part, 1)[1]
    return None


def _vocab(rows: list[dict]) -> list[str]:
    counts = Counter(w for r in rows for k in r["features"] if (w := _context_word(k)) is not None)
    return sorted(w for w, n in counts.items() if n >= MIN_COUNT and w != OTHER)


def _mapped(features: dict, vocab: set[str]) -> dict:
    out = {}
    for k, v in features.items():
        w = _context_word(k)
        if w is not None and w not in vocab:
            k = k[: len(k) - len(w)] + OTHER
        out[k] = v
    return out


def fit(rows: list[dict], version: int = 1, fitted_on: dict | None = None) -> dict:
    """The model (plain data, see span_filter.SpanFilter) fitted on rows."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    vocab = _vocab(rows)
    vset = set(vocab)
    vec = DictVectorizer(sort=True)
    X = vec.fit_transform([_mapped(r["features"], vset) for r in rows])
    y = np.array([int(r["label"]) for r in rows])
    entities = np.array([r["entity"] for r in rows])

    def model():
        return LogisticRegression(C=C, max_iter=5000, solver="lbfgs")

    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    oof = cross_val_predict(model(), X, y, cv=folds, method="predict_proba")[:, 1]
    thresholds, curves = {}, {}
    for entity in sorted(set(entities)):
        mask = entities == entity
        precision, recall, cuts = precision_recall_curve(y[mask], oof[mask])
        b2 = BETA * BETA
        score = (1 + b2) * precision[:-1] * recall[:-1] / np.maximum(b2 * precision[:-1] + recall[:-1], 1e-12)
        best = int(np.argmax(score))
        thresholds[entity] = round(float(cuts[best]), 6)
        curves[entity] = {"precision": round(float(precision[best]), 4),
                          "recall": round(float(recall[best]), 4), f"f{BETA}": round(float(score[best]), 4),
                          "candidates": int(mask.sum()), "positives": int(y[mask].sum())}
    final = model().fit(X, y)
    weights = {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), final.coef_[0])
               if round(float(w), 6) != 0.0}
    return {"format": FORMAT, "version": version, "kind": "logistic_regression",
            "intercept": round(float(final.intercept_[0]), 6), "weights": weights,
            "thresholds": thresholds, "context_vocab": vocab,
            "out_of_fold": curves, "fitted_on": fitted_on or {}, "rows": len(rows)}


def dumps(model: dict) -> str:
    """Sorted, diffable JSON."""
    return json.dumps(model, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
