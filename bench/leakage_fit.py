"""Fit the semantic method's decision model on real LLM rephrasings.

Fitting data (nothing here is reported as a quality figure; `bench/leakage_quality.py` reports
on the subjects left out):
- lmsys-rephrase `abstract_algebra`: golden = the questions of one half, texts = every LLM
  rephrasing (of that half: leaks; of the other half: hard negatives of the same subject) and
  the other half's questions; both halves in turn;
- GSM8K *train* only: 1,500 train questions as golden, 2,000 other train questions as texts
  (same-domain negatives: math word problems with other numbers). GSM8K test is never seen.

`sociology` is held out for the report. `high_school_us_history` is used for neither: its
questions share long passages (several questions per passage, so "another question of the
subject" is often a copy of the passage) and its rephrasings drop the passage.

Every kept candidate pair (window, golden text) of the scan's own stage 1 is a row of features
(`govern/leakage/pairs.py`); its label says whether the text is a rephrasing of that golden
item. A logistic regression (scikit-learn, standardised features) is fitted; the threshold is
the lowest probability at which at most 0.2% of the fitting negatives' records are flagged.
The result goes to govern/leakage/decision.json (weights, scaler, threshold, fitting summary).

    HF_HUB_OFFLINE=1 python bench/leakage_fit.py [--out govern/leakage/decision.json]
"""
from __future__ import annotations

import argparse
import json
import pickle
import time
from pathlib import Path

import numpy as np

from leakage_real import ROOT, gsm8k, rephrase_cases

FIT_SUBJECTS = ["abstract_algebra"]
TARGET_FPR = 0.002


def golden(texts):
    from govern.leakage.golden import GoldenText
    from govern.leakage.normalize import words
    return [GoldenText(i, "text", t, tuple(words(t))) for i, t in enumerate(texts)]


def params(**over) -> dict:
    from govern.policy.load import validate
    return {**validate({"version": 1})["leakage"]["semantic"], **over}


def cases():
    """(name, golden texts, texts, right golden position or None per text)."""
    for name in FIT_SUBJECTS:
        for half, (gq, _, texts, right) in enumerate(rephrase_cases(name)):
            yield f"{name}/{half}", gq, texts, right
    train = gsm8k("train")
    yield "gsm8k-train", train[:1500], train[1500:3500], [None] * 2000


def described(p: dict):
    """Per case: (text index, golden index, features, label, right) of every kept pair."""
    from govern.leakage.semantic import SemanticMatcher
    out = []
    for name, gq, texts, right in cases():
        t = time.time()
        d = SemanticMatcher(golden(gq), p).describe(texts)
        own, gi, x = d[0], d[1], d[2]
        y = np.array([right[o] == g for o, g in zip(own, gi)], dtype=bool)
        out.append((name, own, gi, x, y, right))
        print(f"  {name}: {len(texts)} texts, {len(gq)} golden, {len(own)} pairs, "
              f"{int(y.sum())} leak pairs ({time.time() - t:.0f}s)", flush=True)
    return out


def record_fpr(cases_, prob, th: float) -> tuple[int, int]:
    """Negative records (no golden counterpart) with any pair >= th, and their count."""
    flagged = total = 0
    for (name, own, gi, x, y, right), p in zip(cases_, prob):
        neg = {i for i, r in enumerate(right) if r is None}
        flagged += len(neg & set(own[p >= th].tolist()))
        total += len(neg)
    return flagged, total


def main():
    from sklearn import __version__ as sk_version
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss
    from sklearn.preprocessing import StandardScaler

    from govern.leakage.pairs import FEATURES
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "govern" / "leakage" / "decision.json"))
    ap.add_argument("--pairs", help="a pickle of the described pairs: read if it exists, "
                    "else written (to refit without embedding again)")
    args = ap.parse_args()
    p = params()
    if args.pairs and Path(args.pairs).exists():
        data = pickle.loads(Path(args.pairs).read_bytes())
    else:
        print("describing the fitting pairs (stage 1 of the scan, CPU)")
        data = described(p)
        if args.pairs:
            Path(args.pairs).write_bytes(pickle.dumps(data))
    x = np.concatenate([d[3] for d in data])
    y = np.concatenate([d[4] for d in data])
    scaler = StandardScaler().fit(x)
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(scaler.transform(x), y)
    prob = [lr.predict_proba(scaler.transform(d[3]))[:, 1] for d in data]
    th = 0.5
    for cand in np.round(np.arange(0.05, 0.96, 0.01), 2):
        fp, n = record_fpr(data, prob, cand)
        if fp / n <= TARGET_FPR:
            th = float(cand)
            break
    fp, n = record_fpr(data, prob, th)
    brier = brier_score_loss(y, np.concatenate(prob))
    doc = {"format": 1, "features": FEATURES, "model": "logistic regression (scikit-learn "
           f"{sk_version}), standardised features", "mean": scaler.mean_.tolist(),
           "scale": scaler.scale_.tolist(), "coef": lr.coef_[0].tolist(),
           "intercept": float(lr.intercept_[0]), "threshold": th,
           "fitted_on": {"subjects": FIT_SUBJECTS,
                         "gsm8k": "train[:1500] vs train[1500:3500]",
                         "pairs": int(len(y)), "leak_pairs": int(y.sum()),
                         "negative_records_flagged": [fp, n], "brier": round(float(brier), 5),
                         "top_k": p["top_k"], "candidate": p["candidate"]}}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"fitted on {len(y)} pairs ({int(y.sum())} leaks); threshold {th} "
          f"(fitting negatives flagged {fp}/{n}); Brier {brier:.4f}")
    print("weights:", {k: round(float(c), 3) for k, c in zip(FEATURES, lr.coef_[0])})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
