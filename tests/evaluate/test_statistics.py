"""Paired statistics against statsmodels/scipy references and hand-computed cases."""
from __future__ import annotations

import numpy as np
import pytest

from govern.evaluate import statistics as st
from govern.evaluate.metrics import mean_score, pass_rate


@pytest.mark.parametrize("base,adapter", [
    ([1, 1, 0, 0, 1, 0, 1, 1, 0, 0], [1, 0, 1, 1, 1, 1, 1, 1, 1, 0]),
    ([1] * 20 + [0] * 10, [1] * 15 + [0] * 5 + [1] * 8 + [0] * 2),
    ([0] * 12, [1] * 12),
])
def test_mcnemar_matches_statsmodels(base, adapter):
    from statsmodels.stats.contingency_tables import mcnemar
    b = np.array(base, bool)
    a = np.array(adapter, bool)
    table = [[int((b & a).sum()), int((b & ~a).sum())], [int((~b & a).sum()), int((~b & ~a).sum())]]
    ours = st.mcnemar_exact(base, adapter)
    assert ours["p_value"] == pytest.approx(mcnemar(table, exact=True).pvalue, abs=1e-12)
    assert (ours["lost"], ours["won"]) == (table[0][1], table[1][0])


def test_mcnemar_hand_computed():
    # 6 wins, 0 losses: two-sided exact p = 2 * 0.5**6
    assert st.mcnemar_exact([0] * 6 + [1] * 4, [1] * 10)["p_value"] == pytest.approx(2 * 0.5 ** 6)
    assert st.mcnemar_exact([1, 0, 1], [1, 0, 1])["p_value"] == 1.0


def _items(scores):
    return [{"id": i, "pass": None, "score": float(s)} for i, s in enumerate(scores)]


def test_bootstrap_identical_is_zero_and_insignificant():
    items = _items(np.random.default_rng(1).normal(size=40))
    r = st.paired_bootstrap(mean_score, items, items, n_resamples=200)
    assert r["delta"] == 0 and r["ci"] == [0.0, 0.0] and r["p_value"] == 1.0


def test_bootstrap_shift_matches_numpy_reference():
    rng = np.random.default_rng(2)
    base = rng.normal(size=50)
    diff = 0.5 + rng.normal(scale=0.2, size=50)
    r = st.paired_bootstrap(mean_score, _items(base), _items(base + diff), confidence=0.9,
                            n_resamples=2000, seed=3)
    assert r["delta"] == pytest.approx(diff.mean())
    # a plain numpy paired bootstrap of the mean difference gives the same interval
    idx = np.random.default_rng(9).integers(0, 50, size=(4000, 50))
    ref = np.percentile(diff[idx].mean(1), [5, 95])
    assert r["ci"] == pytest.approx(list(ref), abs=0.02)
    assert r["p_value"] < 0.01


def test_bootstrap_on_pass_rate_contains_delta():
    base = [{"id": i, "pass": i % 2 == 0, "score": 0.0} for i in range(30)]
    adapter = [{"id": i, "pass": i % 3 != 0, "score": 0.0} for i in range(30)]
    r = st.paired_bootstrap(pass_rate, base, adapter, n_resamples=300)
    assert r["delta"] == pytest.approx(20 / 30 - 15 / 30)
    assert r["ci"][0] <= r["delta"] <= r["ci"][1]


T = st.Thresholds(alpha=0.05, min_gain=0.05, max_regression=0.02)


@pytest.mark.parametrize("role,delta,p,expected,passed", [
    ("golden", 0.10, 0.01, st.IMPROVED, True),
    ("golden", 0.03, 0.01, st.IMPROVED, False),      # significant but below the minimum gain
    ("golden", 0.10, 0.20, st.NO_CHANGE, False),     # not significant
    ("golden", -0.10, 0.01, st.REGRESSED, False),
    ("regression", -0.10, 0.01, st.REGRESSED, False),
    ("regression", -0.01, 0.01, st.NO_CHANGE, True),  # within the tolerated drop
    ("regression", -0.10, 0.30, st.NO_CHANGE, True),
    ("regression", 0.00, 1.00, st.NO_CHANGE, True),
])
def test_verdict_table(role, delta, p, expected, passed):
    v, ok, _ = st.verdict(role, delta, p, T)
    assert (v, ok) == (expected, passed)


def test_verdict_lower_is_better():
    assert st.verdict("regression", 0.5, 0.001, T, higher_is_better=False)[0] == st.REGRESSED


from hypothesis import given, settings, strategies as hs  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.tuples(hs.booleans(), hs.booleans()), min_size=1, max_size=60))
def test_mcnemar_property(pairs):
    from statsmodels.stats.contingency_tables import mcnemar
    base, adapter = [p[0] for p in pairs], [p[1] for p in pairs]
    ours = st.mcnemar_exact(base, adapter)
    assert ours["p_value"] == st.mcnemar_exact(adapter, base)["p_value"]  # symmetric
    table = [[0, ours["lost"]], [ours["won"], 0]]
    if ours["lost"] + ours["won"]:
        assert ours["p_value"] == pytest.approx(mcnemar(table, exact=True).pvalue, abs=1e-12)
    else:
        assert ours["p_value"] == 1.0
