"""MinHash LSH containment (datasketch): near-duplicates and short golden items inside long text.

A training text is cut into overlapping windows about twice as long as a typical golden
text, so a golden item pasted into a long instruction still dominates one window. Each
window's MinHash is looked up in an LSH index of the golden texts; candidates are scored by
the containment of the golden text in the window, estimated from the Jaccard similarity and
the two set sizes.
"""
from __future__ import annotations

import numpy as np

from govern.leakage.methods import Hit
from govern.leakage.normalize import ngram_keys

SHINGLE = 3


def _hash(x: int) -> int:
    return x & 0xFFFFFFFF


def _signatures(sets: list[list[int]], num_perm: int):
    from datasketch import MinHash
    return MinHash.bulk(sets, num_perm=num_perm, hashfunc=_hash)


class MinHashContainment:
    id, version = "minhash", 1

    def build(self, gtexts, params):
        from datasketch import MinHashLSH
        num_perm = params["num_perm"]
        sets = [sorted(set(ngram_keys(list(g.words), SHINGLE))) for g in gtexts]
        lsh = MinHashLSH(threshold=params["lsh_threshold"], num_perm=num_perm)
        sigs = _signatures(sets, num_perm) if sets else []
        for i, m in enumerate(sigs):
            lsh.insert(i, m)
        sizes = [len(s) for s in sets]
        window = max(8, 2 * int(np.median(sizes))) if sizes else 8
        values = np.array([m.hashvalues for m in sigs]) if sigs else np.zeros((0, num_perm))
        return {"lsh": lsh, "values": values, "sizes": sizes, "window": window,
                "num_perm": num_perm, "threshold": params["threshold"]}

    def windows(self, state, ws: list[str]) -> list[tuple[int, list[int]]]:
        grams = ngram_keys(ws, SHINGLE)
        w = state["window"]
        if len(grams) <= w:
            return [(0, grams)]
        step = w // 2
        return [(s, grams[s:s + w]) for s in range(0, len(grams) - step, step)]

    def match(self, state, text, ws, fold):
        return self.match_many(state, [ws])[0]

    def match_many(self, state, many: list[list[str]]) -> list[list[Hit]]:
        """Hits for many texts' words at once: one MinHash.bulk call for all windows."""
        wins = [self.windows(state, ws) for ws in many]
        flat = [g for w in wins for _, g in w]
        sigs = iter(_signatures([sorted(set(g)) for g in flat], state["num_perm"]) if flat else [])
        return [self._best(state, w, ws, sigs) for w, ws in zip(wins, many)]

    def _best(self, state, wins, ws, sigs) -> list[Hit]:
        best: dict[int, Hit] = {}
        for (start, grams), sig in zip(wins, sigs):
            n = len(set(grams))
            for i in state["lsh"].query(sig):
                j = float(np.mean(state["values"][i] == sig.hashvalues))
                g = state["sizes"][i]
                score = min(1.0, j * (g + n) / (g * (1 + j))) if g else 0.0
                if score >= state["threshold"] and (i not in best or score > best[i].score):
                    last = min(start + len(grams) + SHINGLE - 2, len(ws) - 1)
                    best[i] = Hit(i, score, start, last)
        return list(best.values())
