"""Window embeddings from token slices equal the model's own embeddings of each window string."""
from __future__ import annotations

import numpy as np
import pytest

from govern.leakage.embed import PROBES, WindowEmbedder, prepare
from govern.leakage.semantic import windows

TEXTS = [
    "Hello support team, I was charged twice for order 44120 on March 3. Please refund it!",
    "Firmware 2.3.1 broke my Zephyr X2:\nit shows error E402; the reset did not help.",
    "  Leading spaces, tabs\tand ünïcödé accents — dashes… and 'quotes'. Done?  ",
    "one",
    "",
    " ".join(f"Step {i} of the reset failed with code X{i}." for i in range(70)),
]


@pytest.fixture(scope="module")
def embedder(semantic):
    return WindowEmbedder(semantic.model, "cpu")


def test_the_probe_accepts_minilm_wordpiece(embedder):
    assert embedder.sliced


def test_slices_are_the_tokens_of_each_window_string(embedder):
    w = prepare(TEXTS)
    assert [(int(s), int(e)) for o, s, e in zip(w.owner, w.start, w.end) if o == 0] == \
        windows(TEXTS[0])
    ends = np.cumsum(w.length)
    for k, (o, s, e) in enumerate(zip(w.owner, w.start, w.end)):
        want = embedder.model.preprocess([TEXTS[o][s:e]])["input_ids"][0].tolist()
        assert w.ids[ends[k] - w.length[k]:ends[k]].tolist() == want, TEXTS[o][s:e][:60]
    assert w.length.max() == embedder.limit  # the long text's whole window is truncated


def test_embeddings_equal_sentence_transformers_encode(embedder):
    (base, _, w), = list(embedder.stream(TEXTS))
    got = embedder.embed(w, TEXTS).numpy()
    strings = [TEXTS[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
    want = embedder.model.encode(strings, normalize_embeddings=True, convert_to_numpy=True)
    assert base == 0 and got.shape == want.shape
    assert np.abs(got - want).max() < 1e-4


def test_small_token_budget_batches_give_the_same_embeddings(semantic, embedder):
    (_, _, w), = list(embedder.stream(TEXTS))
    tiny = WindowEmbedder(semantic.model, "cpu", token_budget=64)
    assert np.abs(tiny.embed(w, TEXTS).numpy() - embedder.embed(w, TEXTS).numpy()).max() < 1e-4


def test_worker_processes_prepare_the_same_windows(semantic, monkeypatch):
    pooled = WindowEmbedder(semantic.model, "cpu", workers=2)
    pooled.chunk = 2
    try:
        parts = list(pooled.stream(TEXTS))
    finally:
        pooled.close()
    alone = prepare(TEXTS)
    assert [b for b, _, _ in parts] == [0, 2, 4]
    assert [t for _, chunk, _ in parts for t in chunk] == TEXTS
    assert np.concatenate([w.ids for _, _, w in parts]).tolist() == alone.ids.tolist()
    assert np.concatenate([w.owner + b for b, _, w in parts]).tolist() == alone.owner.tolist()


def test_a_tokenizer_that_fails_the_probe_embeds_window_strings(semantic, monkeypatch):
    monkeypatch.setattr(WindowEmbedder, "_probe", lambda self: False)
    plain = WindowEmbedder(semantic.model, "cpu")
    (_, _, w), = list(plain.stream(PROBES))
    strings = [PROBES[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
    want = semantic.model.encode(strings, normalize_embeddings=True, convert_to_numpy=True)
    assert not plain.sliced and np.abs(plain.embed(w, PROBES).numpy() - want).max() < 1e-5
