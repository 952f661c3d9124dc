"""MinHash LSH containment: near-duplicates and short golden items inside long text.

A training text is cut into overlapping windows about twice as long as a typical golden
text, so a golden item pasted into a long instruction still dominates one window. Each
window's MinHash is looked up in an LSH index of the golden texts; candidates are scored by
the containment of the golden text in the window, estimated from the Jaccard similarity and
the two set sizes.

Signatures are datasketch's ("affine32" permutations, the same values as `MinHash.bulk`) and
the band layout is datasketch's `MinHashLSH`, but both are computed with numpy over a whole
batch of windows: shingle keys come from the batch's shared `KeyBatch`, and LSH buckets are
sorted arrays of 64-bit band keys searched with `np.searchsorted`.
"""
from __future__ import annotations

import numpy as np

from govern.leakage.methods import Hit
from govern.leakage.shingles import KeyBatch, mix

SHINGLE = 3
_EMPTY = np.uint32(0xFFFFFFFF)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (what datasketch applies before its permutations)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(keys: np.ndarray, bounds: np.ndarray, perms: np.ndarray) -> np.ndarray:
    """MinHash of each set keys[bounds[i]:bounds[i+1]] (low 32 bits of each key), one row each."""
    a, b = perms
    out = np.full((len(bounds) - 1, len(a)), _EMPTY, dtype=np.uint32)
    filled = np.flatnonzero(np.diff(bounds) > 0)
    if len(keys) and len(filled):
        with np.errstate(over="ignore"):
            hv = _fmix32((keys & np.uint64(0xFFFFFFFF)).astype(np.uint32))
            phv = hv[:, None] * a[None, :] + b[None, :]
        out[filled] = np.minimum.reduceat(phv, bounds[filled], axis=0)
    return out


def _band_keys(sigs: np.ndarray, ranges) -> list[np.ndarray]:
    """One 64-bit key per signature per LSH band (equal bands give equal keys)."""
    out = []
    with np.errstate(over="ignore"):
        for start, end in ranges:
            h = np.zeros(len(sigs), dtype=np.uint64)
            for c in range(start, end):
                h = h * np.uint64(0x100000001B3) + sigs[:, c].astype(np.uint64)
            out.append(mix(h))
    return out


class MinHashContainment:
    id, version = "minhash", 2  # 2: shared KeyBatch shingle keys, numpy signatures and LSH

    def build(self, gtexts, params):
        from datasketch import MinHash, MinHashLSH
        num_perm = params["num_perm"]
        perms = MinHash(num_perm=num_perm).permutations
        lsh = MinHashLSH(threshold=params["lsh_threshold"], num_perm=num_perm)
        keys, owner, _ = KeyBatch([list(g.words) for g in gtexts]).grams(SHINGLE)
        order = np.lexsort((keys, owner))
        keys, owner = keys[order], owner[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (owner[1:] != owner[:-1])
        sizes = np.bincount(owner[first], minlength=len(gtexts))
        values = signatures(keys, np.searchsorted(owner, np.arange(len(gtexts) + 1)), perms)
        bands = []
        for bk in _band_keys(values, lsh.hashranges):
            at = np.argsort(bk, kind="stable")
            bands.append((bk[at], at))
        window = max(8, 2 * int(np.median(sizes))) if len(sizes) else 8
        return {"perms": perms, "ranges": list(lsh.hashranges), "bands": bands,
                "values": values, "sizes": sizes, "window": window,
                "threshold": params["threshold"]}

    def windows(self, state, lengths) -> list[tuple[int, int, int]]:
        """(text, first shingle, end shingle) of each window, given shingle counts per text."""
        w = state["window"]
        step, out = w // 2, []
        for t, n in enumerate(lengths):
            if n <= w:
                out.append((t, 0, n))
            else:
                out.extend((t, s, min(s + w, n)) for s in range(0, n - step, step))
        return out

    def match(self, state, text, ws, fold):
        return self.match_many(state, KeyBatch([ws]))[0]

    def match_many(self, state, batch: KeyBatch) -> list[list[Hit]]:
        """Hits for a whole batch: signatures, LSH candidates and scores as array operations."""
        keys, owner, _ = batch.grams(SHINGLE)
        base = np.searchsorted(owner, np.arange(len(batch.texts) + 1))
        wins = np.array(self.windows(state, np.diff(base).tolist()), dtype=np.int64
                        ).reshape(-1, 3)
        if not len(wins):
            return [[] for _ in batch.texts]
        lo, hi = base[wins[:, 0]] + wins[:, 1], base[wins[:, 0]] + wins[:, 2]
        counts = hi - lo
        win_of = np.repeat(np.arange(len(wins)), counts)
        el = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        wkeys = keys[np.repeat(lo, counts) + el]
        bounds = np.concatenate(([0], np.cumsum(counts)))
        sigs = signatures(wkeys, bounds, state["perms"])
        wid, gid = self._candidates(state, sigs)
        j = (state["values"][gid] == sigs[wid]).mean(axis=1)
        n, g = self._distinct(wkeys, win_of, len(wins))[wid], state["sizes"][gid]
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(g > 0, np.minimum(1.0, j * (g + n) / (g * (1 + j))), 0.0)
        keep = score >= state["threshold"]
        return self._best(wins, counts, batch, wid[keep], gid[keep], score[keep])

    @staticmethod
    def _distinct(wkeys, win_of, count) -> np.ndarray:
        """Number of distinct shingle keys in each window."""
        order = np.lexsort((wkeys, win_of))
        k, w = wkeys[order], win_of[order]
        new = np.ones(len(k), dtype=bool)
        new[1:] = (k[1:] != k[:-1]) | (w[1:] != w[:-1])
        return np.bincount(w[new], minlength=count)

    @staticmethod
    def _candidates(state, sigs) -> tuple[np.ndarray, np.ndarray]:
        """(window, golden) pairs sharing at least one LSH band, sorted, without repeats."""
        pairs = []
        for (gkeys, gids), wk in zip(state["bands"], _band_keys(sigs, state["ranges"])):
            left, right = np.searchsorted(gkeys, wk, "left"), np.searchsorted(gkeys, wk, "right")
            cnt = right - left
            w = np.repeat(np.arange(len(wk)), cnt)
            at = np.repeat(left - (np.cumsum(cnt) - cnt), cnt) + np.arange(cnt.sum())
            pairs.append(w * len(state["sizes"]) + gids[at])
        code = np.unique(np.concatenate(pairs)) if pairs else np.zeros(0, dtype=np.int64)
        return code // len(state["sizes"]), code % len(state["sizes"])

    @staticmethod
    def _best(wins, counts, batch, wid, gid, score) -> list[list[Hit]]:
        """Per text, each golden text's best window (the first one on ties)."""
        best: list[dict[int, Hit]] = [{} for _ in batch.texts]
        for w, i, s in zip(wid.tolist(), gid.tolist(), score.tolist()):
            t, start = int(wins[w, 0]), int(wins[w, 1])
            if i not in best[t] or s > best[t][i].score:
                last = min(start + int(counts[w]) + SHINGLE - 2, len(batch.texts[t]) - 1)
                best[t][i] = Hit(i, s, start, last)
        return [list(b.values()) for b in best]
