"""The lexical leakage methods, each a small detector: an id, a version, a threshold.

`build(gtexts, params)` indexes the golden texts once (plain, picklable data);
`match(state, text, ws, fold)` returns hits for one training text: (golden text index,
score, first word, last word). The semantic method lives in `semantic.py`.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from govern.leakage.normalize import key, ngram_keys


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
    version = 1

    def __init__(self, n: int):
        self.n, self.id = n, f"ngram{n}"

    def build(self, gtexts, params):
        index, sizes = defaultdict(list), {}
        for i, g in enumerate(gtexts):
            if len(g.words) < self.n:
                continue  # too short for this n: exact, substring and minhash cover it
            grams = set(ngram_keys(list(g.words), self.n))
            sizes[i] = len(grams)
            for k in grams:
                index[k].append(i)
        return {"index": dict(index), "sizes": sizes, "threshold": params["threshold"]}

    def match(self, state, text, ws, fold):
        if len(ws) < self.n:
            return []
        index, found = state["index"], defaultdict(dict)
        for pos, k in enumerate(ngram_keys(ws, self.n)):
            for i in index.get(k, ()):
                found[i].setdefault(k, pos)
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
