"""The lexical leakage methods, each a small detector: an id, a version, a threshold.

`build(gtexts, params)` indexes the golden texts once (plain, picklable data);
`match(state, text, ws, fold)` returns hits for one training text: (golden text index,
score, first word, last word); a method may add `match_many(state, batch)` taking a whole
`shingles.KeyBatch`. The semantic method lives in `semantic.py`.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from govern.leakage.normalize import key
from govern.leakage.shingles import KeyBatch


@dataclass(frozen=True)
class Hit:
    gtext: int
    score: float
    first: int | None = None   # folded word offsets in the training text, when known
    last: int | None = None


class Exact:
    """Normalized exact match: the whole folded text equals a golden text."""
    id, version = "exact", 1

    def build(self, gtexts, params):
        index = defaultdict(list)
        for i, g in enumerate(gtexts):
            index[key(" ".join(g.words))].append(i)
        return dict(index)

    def match(self, state, text, ws, fold):
        return [Hit(i, 1.0, 0, len(ws) - 1) for i in state.get(key(fold), ())]


class NGram:
    """Share of a golden text's word n-grams found in the training text (Llama 2 style)."""
    version = 2  # 2: n-gram keys from cached word keys (shingles.KeyBatch)

    def __init__(self, n: int):
        self.n, self.id = n, f"ngram{n}"

    def build(self, gtexts, params):
        index, sizes = defaultdict(list), {}
        long = [i for i, g in enumerate(gtexts) if len(g.words) >= self.n]
        # shorter golden texts are left to exact, substring and minhash
        keys, owner, _ = KeyBatch([list(gtexts[i].words) for i in long]).grams(self.n)
        bounds = np.searchsorted(owner, np.arange(len(long) + 1))
        for t, i in enumerate(long):
            grams = dict.fromkeys(keys[bounds[t]:bounds[t + 1]].tolist())
            sizes[i] = len(grams)
            for k in grams:
                index[k].append(i)
        return {"index": dict(index), "sizes": sizes, "threshold": params["threshold"],
                "keys": np.array(sorted(index), dtype=np.uint64)}

    def match(self, state, text, ws, fold):
        return self.match_many(state, KeyBatch([ws]))[0]

    def match_many(self, state, batch: KeyBatch) -> list[list[Hit]]:
        """Hits for a batch: a sorted-array prefilter finds the few n-grams in the golden
        index, so the dictionary work only runs on those."""
        keys, owner, pos = batch.grams(self.n)
        golden = state["keys"]
        if not len(golden):
            return [[] for _ in batch.texts]
        at = np.minimum(np.searchsorted(golden, keys), len(golden) - 1)
        live = (golden[at] == keys) & (batch.lengths[owner] >= self.n)
        index, found = state["index"], defaultdict(lambda: defaultdict(dict))
        for t, k, p in zip(owner[live].tolist(), keys[live].tolist(), pos[live].tolist()):
            for i in index[k]:
                found[t][i].setdefault(k, p)
        return [self._hits(state, found[t]) if t in found else []
                for t in range(len(batch.texts))]

    def _hits(self, state, found) -> list[Hit]:
        hits = []
        for i, grams in found.items():
            score = len(grams) / state["sizes"][i]
            if score >= state["threshold"]:
                pos = grams.values()
                hits.append(Hit(i, min(score, 1.0), min(pos), max(pos) + self.n - 1))
        return hits


class Substring:
    """GPT-4 report style: random fixed-length substrings of the folded golden text."""
    id, version = "substring", 1

    def build(self, gtexts, params):
        length, samples = params["length"], params["samples"]
        index, counts = defaultdict(list), {}
        for i, g in enumerate(gtexts):
            fold = " ".join(g.words)
            if len(fold) < length:
                continue
            rng = random.Random(key(fold))  # the same samples in every run
            starts = {rng.randrange(len(fold) - length + 1) for _ in range(samples)}
            counts[i] = len(starts)
            for s in starts:
                index[fold[s:s + length]].append(i)
        return {"index": dict(index), "counts": counts, "length": length,
                "threshold": params["threshold"]}

    def match(self, state, text, ws, fold):
        index, length = state["index"], state["length"]
        found = defaultdict(set)
        for s in range(len(fold) - length + 1):
            ids = index.get(fold[s:s + length])
            if ids:
                for i in ids:
                    found[i].add(fold[s:s + length])
        return [Hit(i, len(subs) / state["counts"][i]) for i, subs in found.items()
                if len(subs) / state["counts"][i] >= state["threshold"]]
