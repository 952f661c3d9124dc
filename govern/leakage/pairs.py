"""Pair features and the learned decision of the semantic method.

Each candidate pair (a window of a training text, a golden text) is described by a few numbers:
the MiniLM cosine, its margin over the window's next-best golden text, how much of the golden
text's content words, word bigrams, numbers and names the window contains, and their length
ratio. Texts are turned into binary rows of hashed tokens once (per window, per golden text);
a feature is then a row-wise product of two sparse matrices indexed by the pair arrays, so a
batch of pairs is scored without a Python loop per pair.

The decision over those features is a logistic regression fitted by `bench/leakage_fit.py` on
real LLM rephrasings (`decision.json`, shipped with the package): its output is a probability,
and a pair is a leak when it reaches the file's threshold.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from xxhash import xxh3_64_intdigest

from govern.errors import UsageError
from govern.leakage.normalize import details, words

FEATURES = ["cosine", "margin", "words", "bigrams", "numbers", "no_numbers", "names",
            "no_names", "length"]
DECISION = Path(__file__).with_name("decision.json")
COLUMNS = 1 << 22
STOP = frozenset("""a an and are as at be been but by can did do does for from had has have he her
his how i if in into is it its may more most no not of on or our she so some such than that the
their them then there these they this those to was we were what when where which while who whom
why will with would you your""".split())
DIGITS = re.compile(r"\d")


def _row(tokens) -> np.ndarray:
    """Column ids of tokens: a hash that is the same in every process (windows are described
    in worker processes, golden texts in the scan's)."""
    return np.unique(np.fromiter((xxh3_64_intdigest(t.encode()) % COLUMNS for t in tokens),
                                 dtype=np.int64))


@dataclass
class TextSets:
    """Hashed token sets of many texts, one binary CSR row per text and kind."""
    words: sparse.csr_matrix
    bigrams: sparse.csr_matrix
    numbers: sparse.csr_matrix
    names: sparse.csr_matrix
    length: np.ndarray  # folded word count

    @classmethod
    def of(cls, texts: list[str]) -> TextSets:
        rows = {k: [] for k in ("words", "bigrams", "numbers", "names")}
        length = np.zeros(len(texts), dtype=np.float32)
        for n, text in enumerate(texts):
            ws = words(text)
            length[n] = len(ws)
            content = [w for w in ws if w not in STOP]
            det = details(text)
            rows["words"].append(_row(content))
            rows["bigrams"].append(_row(f"{a} {b}" for a, b in zip(ws, ws[1:])))
            rows["numbers"].append(_row(d for d in det if DIGITS.search(d)))
            rows["names"].append(_row(d for d in det if not DIGITS.search(d)))
        return cls(**{k: _csr(v) for k, v in rows.items()}, length=length)

    @classmethod
    def join(cls, parts: list[TextSets]) -> TextSets:
        if len(parts) == 1:
            return parts[0]
        return cls(*(sparse.vstack([getattr(p, k) for p in parts], format="csr")
                     for k in ("words", "bigrams", "numbers", "names")),
                   np.concatenate([p.length for p in parts]))


def _csr(rows: list[np.ndarray]) -> sparse.csr_matrix:
    indptr = np.cumsum([0] + [len(r) for r in rows])
    idx = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    return sparse.csr_matrix((np.ones(len(idx), np.float32), idx, indptr),
                             shape=(len(rows), COLUMNS))


def _shared(a: sparse.csr_matrix, b: sparse.csr_matrix, ia, ib) -> tuple[np.ndarray, np.ndarray]:
    """(tokens of b[ib] also in a[ia], tokens of b[ib]) for each pair."""
    left, right = a[ia], b[ib]
    both = np.asarray(left.multiply(right).sum(1)).ravel()
    return both, np.diff(right.indptr).astype(np.float32)


def features(win: TextSets, gold: TextSets, wi: np.ndarray, gi: np.ndarray, cos: np.ndarray,
             margin: np.ndarray) -> np.ndarray:
    """The feature matrix (pairs x FEATURES) of pairs (window wi, golden text gi)."""
    out = np.zeros((len(wi), len(FEATURES)), dtype=np.float32)
    if not len(wi):
        return out
    out[:, 0], out[:, 1] = cos, margin
    for col, kind in ((2, "words"), (3, "bigrams")):
        both, need = _shared(win.__dict__[kind], gold.__dict__[kind], wi, gi)
        out[:, col] = both / np.maximum(need, 1)
    for col, kind in ((4, "numbers"), (6, "names")):
        both, need = _shared(win.__dict__[kind], gold.__dict__[kind], wi, gi)
        out[:, col] = np.where(need > 0, both / np.maximum(need, 1), 1.0)
        out[:, col + 1] = need == 0
    out[:, 8] = np.log((win.length[wi] + 1) / (gold.length[gi] + 1))
    return out


@dataclass(frozen=True)
class Decision:
    """The fitted logistic regression: standardised features, weights, a threshold."""
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    digest: str

    @classmethod
    def load(cls, path: str | Path = "") -> Decision:
        from govern.digests import sha256_bytes
        path = Path(path) if path else DECISION
        try:
            raw = path.read_bytes()
            doc = json.loads(raw)
            if doc["features"] != FEATURES:
                raise KeyError("features")
            return cls(np.array(doc["mean"], np.float32), np.array(doc["scale"], np.float32),
                       np.array(doc["coef"], np.float32), float(doc["intercept"]),
                       float(doc["threshold"]), sha256_bytes(raw)[:16])
        except (OSError, ValueError, KeyError) as e:
            raise UsageError(f"{path}: not a leakage decision model ({e})",
                             hint="set [leakage.semantic] decision to a file written by "
                                  "bench/leakage_fit.py") from None

    def probability(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))
