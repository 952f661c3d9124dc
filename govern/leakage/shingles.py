"""Word n-gram keys for a whole batch of texts at once, shared by the n-gram and MinHash methods.

Each distinct word is hashed once (xxh64, cached per process); an n-gram's key is a polynomial
of its word keys mod 2^64, finished with the splitmix64 mixer, computed with numpy over the
batch's concatenated word keys. Keys are stable across processes and runs (no `hash()`), and
golden indexes are built with the same `KeyBatch`, so the two sides always agree. A text
shorter than n words gives one key of its whole word list.
"""
from __future__ import annotations

import numpy as np
import xxhash

_P = np.uint64(0x100000001B3)           # odd multiplier of the rolling polynomial
_WORD_KEYS: dict[str, int] = {}          # per-process cache; words repeat across batches
_CACHE_LIMIT = 2_000_000


def word_key(w: str) -> int:
    k = _WORD_KEYS.get(w)
    if k is None:
        if len(_WORD_KEYS) >= _CACHE_LIMIT:
            _WORD_KEYS.clear()
        k = _WORD_KEYS[w] = xxhash.xxh64_intdigest(w.encode("utf-8"))
    return k


def mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: every output bit depends on every input bit."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


class KeyBatch:
    """The folded word lists of a batch (`texts`) and their n-gram keys by n, computed once."""

    def __init__(self, texts: list[list[str]]):
        self.texts = texts
        self.lengths = np.fromiter((len(ws) for ws in texts), dtype=np.int64, count=len(texts))
        self.offsets = np.concatenate(([0], np.cumsum(self.lengths)))
        flat = [word_key(w) for ws in texts for w in ws]
        self.words = np.array(flat, dtype=np.uint64)
        self._grams: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def grams(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(keys, owning text, first word position) of every n-gram, in text then position
        order; a non-empty text shorter than n gives one key at position 0."""
        if n not in self._grams:
            self._grams[n] = self._compute(n)
        return self._grams[n]

    def _compute(self, n: int):
        lens, starts = self.lengths, self.offsets[:-1]
        counts = np.where(lens >= n, lens - n + 1, (lens > 0).astype(np.int64))
        owner = np.repeat(np.arange(len(lens)), counts)
        pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        span = np.minimum(lens, n)[owner]   # words in each gram (n, or a short text's length)
        first = starts[owner] + pos
        h = np.zeros(len(owner), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(n):
                inside = j < span
                if not inside.any():
                    break
                idx = first[inside] + j
                h[inside] = h[inside] * _P + self.words[idx]
            keys = mix(h)
        return keys, owner, pos


def ngram_keys(ws: list[str], n: int) -> list[int]:
    """Stable keys of one text's word n-grams; a text shorter than n words gives one key."""
    return [int(k) for k in KeyBatch([ws]).grams(n)[0]]
