"""The semantic method with the real MiniLM: top-k candidates, the learned decision, the
onnxruntime path and the window plan."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from govern.leakage.embed import plan
from govern.leakage.normalize import details, words
from govern.leakage.pairs import FEATURES, STOP, Decision, TextSets, features
from govern.leakage.semantic import SemanticMatcher, candidate_pairs
from tests.leakage.conftest import GOLDEN, golden_texts

HOST = "Hi team, I hope your week is going well. I have one more thing to ask. "

CASES = [
    (GOLDEN[0], 0),
    (HOST + GOLDEN[2], 2),
    ("I was charged twice for order 99812 on June 14 and I need a refund for the duplicate "
     "payment.", None),
    ("How do I add a second user to my Premium account?", None),
    ("The weather in Lisbon was lovely this spring.", None),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_semantic_table(semantic, text, expected):
    found = {g for *_, g, m, s, a, b in semantic.match([(0, "text", None, text)])}
    assert found == ({expected} if expected is not None else set())


@pytest.mark.parametrize("text, expected", [
    ("Order 04412 was $1,200 on March 3rd.", {"4412", "1200", "march", "3"}),
    ("The Zephyr X2 broke.", {"zephyr", "2"}),
    ("Hello there. Nothing specific here.", set()),
])
def test_details_are_numbers_codes_and_names(text, expected):
    assert details(text) == expected


def test_onnx_embeddings_equal_pytorch(semantic):
    assert semantic.runtime == "onnx"
    texts = GOLDEN + [HOST, "one", "Ünïcödé  spaces\tand\nlines. e.g. x=1; y = 2.0? Done..."]
    got = semantic.encode(texts)
    want = semantic.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert (got * want).sum(1).min() > 1 - 1e-3


def test_golden_embeddings_are_cached_in_the_store(tmp_path, section, semantic):
    from govern.store import init_store
    store, _ = init_store(tmp_path / ".govern")
    first = SemanticMatcher(golden_texts(), section["semantic"], store=store)
    count = "SELECT COUNT(*) FROM cache WHERE namespace LIKE 'leakage-embedding:%'"
    rows = store.db.execute(count).fetchone()[0]
    again = SemanticMatcher(golden_texts(), section["semantic"], store=store)
    assert rows >= len(golden_texts()) and store.db.execute(count).fetchone()[0] == rows
    assert np.allclose(first.golden, again.golden, atol=1e-6)


def _same_domain(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"I was charged twice for order {rng.randint(10000, 99999)} on March "
            f"{rng.randint(1, 28)} and I need a refund for the duplicate payment of "
            f"${rng.randint(5, 900)}." for _ in range(n)]


def test_pairs_per_record_do_not_grow_with_the_golden_set(section):
    """Cost per record is bounded by top_k: 8 or 128 same-domain golden items, same pairs."""
    records = [(n, "text", None, t) for n, t in enumerate(_same_domain(40, 1))]
    counts = {}
    for size in (8, 128):
        m = SemanticMatcher(golden_texts(_same_domain(size, 2)), section["semantic"])
        m.match(records)
        counts[size] = dict(m.stats)
    k = section["semantic"]["top_k"]
    assert counts[8]["windows"] == counts[128]["windows"] >= 40
    for st in counts.values():
        assert k * st["windows"] >= st["pairs"] >= st["windows"]  # all similar: k each
    assert counts[128]["pairs"] == counts[8]["pairs"] == k * counts[8]["windows"]


def _reference(wtext: str, gtext: str, cos: float, margin: float) -> list[float]:
    """The pair features computed for one pair with Python sets (the per-pair way)."""
    ww, gw = words(wtext), words(gtext)
    wd, gd = details(wtext), details(gtext)

    def share(a: set, b: set, empty: float) -> float:
        return len(a & b) / len(b) if b else empty
    num = lambda d: {x for x in d if any(c.isdigit() for c in x)}  # noqa: E731
    name = lambda d: {x for x in d if not any(c.isdigit() for c in x)}  # noqa: E731
    return [cos, margin,
            share({w for w in ww if w not in STOP}, {w for w in gw if w not in STOP}, 0.0),
            share(set(zip(ww, ww[1:])), set(zip(gw, gw[1:])), 0.0),
            share(num(wd), num(gd), 1.0), float(not num(gd)),
            share(name(wd), name(gd), 1.0), float(not name(gd)),
            float(np.log((len(ww) + 1) / (len(gw) + 1)))]


def test_vectorised_features_equal_the_per_pair_computation():
    wins = [c[0] for c in CASES] + ["", "Order 44120 refund.", GOLDEN[1].upper()]
    rng = np.random.default_rng(0)
    wi = rng.integers(0, len(wins), 60)
    gi = rng.integers(0, len(GOLDEN), 60)
    cos, margin = rng.random(60).astype(np.float32), rng.random(60).astype(np.float32)
    got = features(TextSets.of(wins), TextSets.of(GOLDEN), wi, gi, cos, margin)
    want = np.array([_reference(wins[a], GOLDEN[b], c, m)
                     for a, b, c, m in zip(wi, gi, cos, margin)])
    assert got.shape == (60, len(FEATURES))
    assert np.allclose(got, want, atol=1e-5)


def test_candidate_pairs_keep_top_k_above_the_floor_with_margins():
    vals = np.array([[0.9, 0.8, 0.4], [0.95, 0.94, 0.93]], dtype=np.float32)
    idx = np.array([[3, 1, 2], [0, 2, 1]])
    wi, gi, cos, margin = candidate_pairs(vals, idx, 2, 0.5)
    assert wi.tolist() == [0, 0, 1, 1] and gi.tolist() == [3, 1, 0, 2]
    assert np.allclose(margin, [0.1, -0.1, 0.01, -0.01], atol=1e-6)


def test_a_fixed_decision_file_gives_fixed_decisions(tmp_path):
    doc = {"features": FEATURES, "mean": [0.0] * 9, "scale": [1.0] * 9,
           "coef": [4, 0, 2, 0, 3, 0, 0, 0, -1], "intercept": -7.0, "threshold": 0.5}
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(doc))
    d = Decision.load(path)
    x = np.array([[1, 0, 1, 1, 1, 0, 1, 0, 0],     # copy: 4 + 2 + 3 - 7 = 2
                  [0.9, 0, 0.9, 0, 0, 0, 1, 0, 0],  # other numbers: 3.6 + 1.8 - 7 < 0
                  [0.8, 0, 1, 0, 1, 0, 1, 0, 2.5]], dtype=np.float32)  # longer: -1.3
    assert (d.probability(x) >= d.threshold).tolist() == [True, False, False]
    assert np.allclose(d.probability(x)[0], 1 / (1 + np.exp(-2)))


def test_the_shipped_decision_accepts_copies_and_refuses_other_numbers(semantic):
    d = Decision.load()
    x = features(TextSets.of([GOLDEN[0], CASES[2][0]]), TextSets.of(GOLDEN), np.array([0, 1]),
                 np.array([0, 0]), np.array([1.0, 0.93]), np.array([0.3, 0.3]))
    assert (d.probability(x) >= d.threshold).tolist() == [True, False]


def test_a_broken_decision_file_is_a_usage_error(tmp_path):
    from govern.errors import UsageError
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"features": ["cosine"]}))
    with pytest.raises(UsageError, match="d.json"):
        Decision.load(path)


def test_the_window_plan_keeps_golden_items_planted_in_long_records(semantic):
    """Golden items inside long records (longer than the window width) of varied lengths and
    positions: a window holds the item whole, the item is among the record's kept candidates,
    and the scan names it."""
    rng = random.Random(3)
    filler = ("The office moved to the third floor last spring. Lunch is served at noon. "
              "Parking is free on weekends. The printer needs new toner. ").split(". ")
    texts, truth = [], []
    for n in range(24):
        k = rng.randint(8, 16)
        cut = rng.randint(0, k)
        before = ". ".join(rng.choice(filler) for _ in range(cut))
        after = ". ".join(rng.choice(filler) for _ in range(k - cut)) or "Thanks"
        g = n % len(GOLDEN)
        texts.append(f"{before}. {GOLDEN[g]} {after}." if before else f"{GOLDEN[g]} {after}.")
        truth.append(g)
    tok = semantic.model.tokenizer
    for t, g in zip(texts, truth):
        ends = np.array([e for _, e in tok(t, add_special_tokens=False,
                                           return_offsets_mapping=True)["offset_mapping"]])
        spans = plan(t, ends, semantic.width)
        at = t.index(GOLDEN[g])
        assert any(s <= at and at + len(GOLDEN[g]) <= e for s, e in spans)
    own, gi, *_ = semantic.describe(texts)
    assert all(g in gi[own == n] for n, g in enumerate(truth))
    found = {(h[0], h[3]) for h in semantic.match([(n, "text", None, t)
                                                   for n, t in enumerate(texts)])}
    assert {(n, g) for n, g in enumerate(truth)} <= found
