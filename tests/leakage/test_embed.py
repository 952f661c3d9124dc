"""Window embeddings from token slices equal the model's own embeddings of each window string."""
from __future__ import annotations

import numpy as np
import pytest

from govern.leakage.embed import PROBES, SPREAD, WindowEmbedder, batches, prepare

TEXTS = [
    "Hello support team, I was charged twice for order 44120 on March 3. Please refund it!",
    "Firmware 2.3.1 broke my Zephyr X2:\nit shows error E402; the reset did not help.",
    "  Leading spaces, tabs\tand ünïcödé accents — dashes… and 'quotes'. Done?  ",
    "one",
    "",
    " ".join(f"Step {i} of the reset failed with code X{i}." for i in range(70)),
]


def stream(embedder: WindowEmbedder, texts: list[str]):
    """(first text index, texts, Windows) per chunk of `embedder.chunk` texts, all submitted
    before the first is read, as the semantic matcher does."""
    starts = range(0, len(texts), embedder.chunk)
    handles = [embedder.submit(texts[i:i + embedder.chunk]) for i in starts]
    return [(i, texts[i:i + embedder.chunk], h.get()) for i, h in zip(starts, handles)]


@pytest.fixture(scope="module")
def embedder(semantic):
    return WindowEmbedder(semantic.model, "cpu")


def test_the_probe_accepts_minilm_wordpiece(embedder):
    assert embedder.sliced


def test_slices_are_the_tokens_of_each_window_string(embedder):
    w = prepare(TEXTS)
    assert (0, len(TEXTS[0])) in [(int(s), int(e)) for o, s, e in zip(w.owner, w.start, w.end)
                                  if o == 0]
    ends = np.cumsum(w.length)
    for k, (o, s, e) in enumerate(zip(w.owner, w.start, w.end)):
        want = embedder.model.preprocess([TEXTS[o][s:e]])["input_ids"][0].tolist()
        assert w.ids[ends[k] - w.length[k]:ends[k]].tolist() == want, TEXTS[o][s:e][:60]
    assert w.length.max() == embedder.limit  # the long text's whole window is truncated


def test_embeddings_equal_sentence_transformers_encode(embedder):
    (base, _, w), = stream(embedder, TEXTS)
    got = embedder.embed(w, TEXTS).numpy()
    strings = [TEXTS[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
    want = embedder.model.encode(strings, normalize_embeddings=True, convert_to_numpy=True)
    assert base == 0 and got.shape == want.shape
    assert np.abs(got - want).max() < 1e-4


def test_small_token_budget_batches_give_the_same_embeddings(semantic, embedder):
    (_, _, w), = stream(embedder, TEXTS)
    tiny = WindowEmbedder(semantic.model, "cpu", token_budget=64)
    assert np.abs(tiny.embed(w, TEXTS).numpy() - embedder.embed(w, TEXTS).numpy()).max() < 1e-4


def test_worker_processes_prepare_the_same_windows(semantic, monkeypatch):
    pooled = WindowEmbedder(semantic.model, "cpu", workers=2)
    pooled.chunk = 2
    try:
        parts = stream(pooled, TEXTS)
    finally:
        pooled.close()
    alone = WindowEmbedder(semantic.model, "cpu").submit(TEXTS).get()  # same width, in-process
    assert [b for b, _, _ in parts] == [0, 2, 4]
    assert [t for _, chunk, _ in parts for t in chunk] == TEXTS
    assert np.concatenate([w.ids for _, _, w in parts]).tolist() == alone.ids.tolist()
    assert np.concatenate([w.owner + b for b, _, w in parts]).tolist() == alone.owner.tolist()


def test_a_tokenizer_that_fails_the_probe_embeds_window_strings(semantic, monkeypatch):
    monkeypatch.setattr(WindowEmbedder, "_probe", lambda self: False)
    plain = WindowEmbedder(semantic.model, "cpu")
    (_, _, w), = stream(plain, PROBES)
    strings = [PROBES[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
    want = semantic.model.encode(strings, normalize_embeddings=True, convert_to_numpy=True)
    assert not plain.sliced and np.abs(plain.embed(w, PROBES).numpy() - want).max() < 1e-5


def test_a_model_without_mean_pooling_runs_through_its_own_modules(semantic):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling
    cls = SentenceTransformer(modules=[semantic.model[0], Pooling(384, pooling_mode="cls"),
                                       Normalize()], device="cpu")
    mean = WindowEmbedder(semantic.model, "cpu")
    other = WindowEmbedder(cls, "cpu")
    assert mean.body is not None and other.body is None
    (_, _, w), = stream(other, TEXTS)
    strings = [TEXTS[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
    want = cls.encode(strings, normalize_embeddings=True, convert_to_numpy=True)
    assert np.abs(other.embed(w, TEXTS).numpy() - want).max() < 1e-4
    assert np.abs(other.embed(w, TEXTS).numpy() - mean.embed(w, TEXTS).numpy()).max() > 0.01


@pytest.mark.parametrize("budget", [64, 512, 4096, 65536])
def test_batches_cover_each_window_once_under_the_budget(budget):
    lens = np.sort(np.random.default_rng(budget).integers(3, 80, 3000))
    plan = batches(lens, budget)
    assert [lo for lo, _ in plan] == [0] + [hi for _, hi in plan[:-1]]
    assert plan[-1][1] == len(lens)
    assert all((hi - lo) * lens[hi - 1] <= budget or hi - lo == 1 for lo, hi in plan)
    assert all(lens[hi - 1] <= lens[lo] * SPREAD + 8 for lo, hi in plan)
    # a batch is as full as the budget and the spread allow: one more row would not fit
    assert all((hi - lo + 1) * lens[hi] > budget or lens[hi] > lens[lo] * SPREAD + 8
               for lo, hi in plan[:-1])


def test_one_long_window_does_not_pad_the_short_ones():
    lens = np.array([5] * 150 + [256])
    assert batches(lens, 65536) == [(0, 150), (150, 151)]


def test_fed_texts_give_the_hits_of_one_match_call(semantic):
    from govern.leakage.golden import GoldenText
    from govern.leakage.semantic import SemanticMatcher
    gold = [TEXTS[0], TEXTS[1]]
    gtexts = [GoldenText(k, "text", t, tuple(t.split())) for k, t in enumerate(gold)]
    matcher = SemanticMatcher(gtexts, semantic.params, device="cpu")
    matcher.embedder.chunk = 4
    items = [(n, "text", None, t) for n, t in enumerate(
        TEXTS * 3 + [f"Note. {TEXTS[0]} Thanks for the help today."])]
    fed = []
    for k in range(0, len(items), 3):
        fed.extend(matcher.feed(items[k:k + 3]))
    fed.extend(matcher.finish())
    whole = matcher.match(items)
    def pairs(hits):
        return sorted((h[0], h[3], h[6], h[7]) for h in hits)
    assert pairs(fed) == pairs(whole)
    assert np.allclose(sorted(h[5] for h in fed), sorted(h[5] for h in whole), atol=1e-5)
    assert {(h[0], h[3]) for h in whole} >= {(0, 0), (1, 1), (18, 0)}
