"""Batch n-gram keys and numpy MinHash signatures: the same as one text at a time / datasketch."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from govern.leakage.minhash import signatures
from govern.leakage.shingles import KeyBatch, ngram_keys

WORDS = st.lists(st.sampled_from(["a", "b", "order", "44120", "é", "x"]), max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, max_size=6), st.sampled_from([1, 3, 8, 13]))
def test_batch_keys_equal_keys_of_each_text_alone(texts, n):
    keys, owner, pos = KeyBatch(texts).grams(n)
    for t, ws in enumerate(texts):
        mine = owner == t
        assert keys[mine].tolist() == ngram_keys(ws, n)
        assert pos[mine].tolist() == list(range(len(ngram_keys(ws, n))))


def test_keys_are_stable_and_tell_grams_apart():
    # pinned: the same in every process and run (word keys are xxh64, not hash())
    assert ngram_keys(["order", "44120", "was", "charged"], 3) == [
        6906146865953676725, 15253166730181459529]
    assert len(set(ngram_keys(["a", "b", "a", "c"], 2))) == 3
    assert ngram_keys(["a", "b"], 2) != ngram_keys(["b", "a"], 2)


def test_signatures_equal_datasketch_bulk():
    from datasketch import MinHash
    rng = np.random.default_rng(0)
    sets = [rng.integers(0, 2**63, size=k, dtype=np.uint64) for k in (1, 5, 40)]
    ref = MinHash.bulk([s.tolist() for s in sets], num_perm=64,
                       hashfunc=lambda x: x & 0xFFFFFFFF)
    bounds = np.concatenate(([0], np.cumsum([len(s) for s in sets])))
    mine = signatures(np.concatenate(sets), bounds, MinHash(num_perm=64).permutations)
    assert all((r.hashvalues == m).all() for r, m in zip(ref, mine))
