"""Paired statistics for base vs adapter on the same items, and the per-suite verdict.

Pass/fail items: McNemar's exact test (a two-sided binomial test on the discordant pairs).
Continuous metrics: a paired bootstrap over items (scipy.stats.bootstrap, paired resampling).
The delta's confidence interval always comes from the paired bootstrap.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IMPROVED, NO_CHANGE, REGRESSED = "improved", "no significant change", "regressed"


def mcnemar_exact(base_pass: list[bool], adapter_pass: list[bool]) -> dict:
    """b = items the adapter lost, c = items it won; p from binomtest(c, b + c, 0.5)."""
    from scipy.stats import binomtest
    base, adapter = np.asarray(base_pass, bool), np.asarray(adapter_pass, bool)
    b, c = int((base & ~adapter).sum()), int((~base & adapter).sum())
    p = 1.0 if b + c == 0 else float(binomtest(c, b + c, 0.5).pvalue)
    return {"test": "mcnemar-exact", "lost": b, "won": c, "p_value": min(p, 1.0)}


def paired_bootstrap(metric, base_items: list[dict], adapter_items: list[dict],
                     confidence: float = 0.95, n_resamples: int = 1000, seed: int = 0) -> dict:
    """CI and two-sided bootstrap p-value for metric(adapter) - metric(base), resampling items
    jointly. `metric` maps a list of per-item results to a number."""
    from scipy.stats import bootstrap
    base, adapter = np.asarray(base_items, dtype=object), np.asarray(adapter_items, dtype=object)
    delta = metric(list(adapter)) - metric(list(base))

    def stat(idx):
        idx = np.asarray(idx, dtype=int)
        return metric(list(adapter[idx])) - metric(list(base[idx]))

    res = bootstrap((np.arange(len(base)),), stat, paired=True, vectorized=False,
                    n_resamples=n_resamples, confidence_level=confidence, method="percentile",
                    random_state=np.random.default_rng(seed))
    dist = np.asarray(res.bootstrap_distribution)
    p = min(1.0, 2 * min(float((dist <= 0).mean()), float((dist >= 0).mean())))
    if np.all(dist == 0):
        p = 1.0
    lo, hi = (float(x) for x in (res.confidence_interval.low, res.confidence_interval.high))
    return {"test": "paired-bootstrap", "delta": float(delta), "ci": [lo, hi], "p_value": p,
            "resamples": n_resamples, "confidence": confidence}


@dataclass
class Thresholds:
    alpha: float = 0.05
    min_gain: float = 0.0          # golden suites: smallest gain that justifies the adapter
    max_regression: float = 0.0    # regression suites: largest drop tolerated


def verdict(role: str, delta: float, p_value: float, t: Thresholds,
            higher_is_better: bool = True) -> tuple[str, bool, str]:
    """(verdict, passed, reason). A golden suite passes only on a significant gain of at least
    min_gain; a regression suite fails only on a significant drop beyond max_regression."""
    gain = delta if higher_is_better else -delta
    significant = p_value < t.alpha
    tolerance = t.max_regression if role == "regression" else 0.0
    if significant and gain < 0 and -gain > tolerance:
        v = REGRESSED
    elif significant and gain > 0:
        v = IMPROVED
    else:
        v = NO_CHANGE
    if role == "golden":
        passed = v == IMPROVED and gain >= t.min_gain
        reason = ("gain meets the target" if passed else
                  f"golden gain {gain:+.4f} is not a significant gain of at least {t.min_gain}"
                  f" (p={p_value:.4g}, alpha={t.alpha})")
    else:
        passed = v != REGRESSED
        reason = ("within tolerance" if passed else
                  f"significant drop {gain:+.4f} beyond the tolerated {t.max_regression}"
                  f" (p={p_value:.4g}, alpha={t.alpha})")
    return v, passed, reason
