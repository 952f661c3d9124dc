"""Window embeddings, the semantic method's hot path.

A window is a span of a training text: the whole text, runs of sentences, single clauses
(`semantic.windows`). Embedding each window as its own string would tokenise every character
five or six times. Here each text is tokenised once by the model's fast tokenizer, with
character offsets, and a window's input is the slice of those tokens between its offsets,
framed by the model's first and last special tokens. For WordPiece tokenizers, which split at
whitespace and punctuation, that is exactly the input the window's own string would give; a
probe at load time checks it, and a tokenizer that fails the probe embeds window strings.

Host work (windows, tokenising, slicing) runs in worker processes chunk by chunk while the
device embeds the chunk before. Windows go to the model in length-sorted batches under a token
budget, so little of each batch is padding.
"""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass

import numpy as np

PROBES = ["Hello support team, order 4471-B was charged twice: refund it! Thanks.",
          "Ünïcödé  spaces\tand\nlines. e.g. x=1; y = 2.0? Done...  ok",
          "I can't log in since 3/14; error E1029 (again). Lisbon, Portugal.",
          " ".join(f"Step {i} of the reset failed: code X{i}." for i in range(60))]  # truncated
CHUNK = 2048  # texts per unit of host work


@dataclass
class Windows:
    """The windows of a list of texts, in text order: owner text, char span, single-sentence
    flag, and their model inputs as one flat token array with per-window lengths."""
    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    single: np.ndarray
    ids: np.ndarray
    length: np.ndarray


_TOKENIZER: dict = {}


class _NONE:  # the encoding of a text when there is no fast tokenizer (window strings are embedded)
    ids, offsets = [], []


def _init(tokenizer_json: str, frame: tuple[int, int], limit: int,
          parent: int | None = None) -> None:
    """One tokenizer per process, built once. A pool worker (`parent` given) tokenises on one
    thread, since the processes are the parallelism, and ends with its parent."""
    if parent is not None:
        from govern.engine.local import watch_parent
        watch_parent(parent)
        os.environ["RAYON_NUM_THREADS"] = "1"
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
    if _TOKENIZER.get("key") == (tokenizer_json, frame, limit):
        return
    tok = None
    if tokenizer_json:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_str(tokenizer_json)
        tok.no_truncation()
        tok.no_padding()
    _TOKENIZER.update(tok=tok, frame=frame, limit=limit, key=(tokenizer_json, frame, limit))


def prepare(texts: list[str]) -> Windows:
    """Windows of `texts` and their token slices (runs in a worker, or in-process)."""
    from govern.leakage.semantic import pieces, windows
    tok, (first, last), limit = _TOKENIZER["tok"], _TOKENIZER["frame"], _TOKENIZER["limit"]
    encs = tok.encode_batch(texts, add_special_tokens=False) if tok else [_NONE] * len(texts)
    owner, spans, single = [], [], []
    for n, text in enumerate(texts):
        ws = windows(text)
        parts = pieces(text) if len(ws) > 1 else set()
        owner.extend([n] * len(ws))
        spans.extend(ws)
        single.extend([(w in parts or len(parts) <= 1) for w in ws])
    # token positions keyed (text, char offset) so one searchsorted maps every window
    ntok = np.array([len(e.ids) for e in encs], dtype=np.int64)
    ids = np.fromiter((i for e in encs for i in e.ids), dtype=np.int32, count=int(ntok.sum()))
    offs = np.array([o for e in encs for o in e.offsets], dtype=np.int64).reshape(-1, 2)
    tok_text = np.repeat(np.arange(len(texts), dtype=np.int64), ntok) << 32
    span = np.array(spans, dtype=np.int64).reshape(-1, 2)
    own = np.array(owner, dtype=np.int64)
    a = np.searchsorted(tok_text | offs[:, 0], (own << 32) | span[:, 0], side="left")
    b = np.searchsorted(tok_text | offs[:, 1], (own << 32) | span[:, 1], side="right")
    inner = np.minimum(np.maximum(b - a, 0), limit - 2)
    length = inner + 2
    begin = np.cumsum(length) - length
    pos = np.arange(int(length.sum())) - np.repeat(begin, length)
    src = np.repeat(a - 1, length) + pos
    flat = ids[np.clip(src, 0, max(len(ids) - 1, 0))] if len(ids) else np.zeros(len(pos), np.int32)
    flat[begin] = first
    flat[begin + length - 1] = last
    return Windows(own.astype(np.int32), span[:, 0].astype(np.int32), span[:, 1].astype(np.int32),
                   np.array(single, dtype=bool), flat.astype(np.int32), length.astype(np.int32))


class WindowEmbedder:
    """Embeds the windows of batches of texts with a SentenceTransformer model."""

    def __init__(self, model, device: str, workers: int = 1, token_budget: int = 65536):
        self.model, self.device, self.budget = model, device, token_budget
        tok = model.tokenizer
        self.limit = int(model.max_seq_length or 512)
        self.keys = set(model.preprocess(["probe"]).keys())
        self.frame = (tok.cls_token_id, tok.sep_token_id)
        self.json = tok.backend_tokenizer.to_str() if hasattr(tok, "backend_tokenizer") else ""
        self.workers, self.pool = max(1, workers), None
        self.chunk = CHUNK
        self.sliced = bool(self.json) and None not in self.frame and self._probe()

    def _probe(self) -> bool:
        """Do token slices give the same model input as each window's own string?"""
        _init(self.json, self.frame, self.limit)
        got = prepare(PROBES)
        ends = np.cumsum(got.length)
        texts = [PROBES[o][s:e] for o, s, e in zip(got.owner, got.start, got.end)]
        want = self.model.preprocess(texts)["input_ids"]
        return all(got.ids[e - n:e].tolist() == want[k][:n].tolist() and
                   (n == want.shape[1] or int(want[k][n]) == self.model.tokenizer.pad_token_id)
                   for k, (n, e) in enumerate(zip(got.length, ends)))

    def stream(self, texts: list[str]):
        """(first text index, texts, Windows) per chunk of texts; with several workers the
        chunks are prepared ahead in worker processes while the caller embeds."""
        chunks = [texts[i:i + self.chunk] for i in range(0, len(texts), self.chunk)]
        if self.workers > 1 and len(chunks) > 1:
            if self.pool is None:
                ctx = multiprocessing.get_context("spawn")
                self.pool = ctx.Pool(self.workers, _init,
                                     (self.json, self.frame, self.limit, os.getpid()))
            results = self.pool.imap(prepare, chunks)
        else:
            _init(self.json, self.frame, self.limit)
            results = map(prepare, chunks)
        for k, w in enumerate(results):
            yield k * self.chunk, chunks[k], w

    def embed(self, w: Windows, texts: list[str]):
        """Normalised embeddings (a tensor on the device) of every window, in window order;
        `texts` are the texts `w` was cut from."""
        import torch
        if not self.sliced:
            strings = [texts[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
            return self.model.encode(strings, batch_size=128, normalize_embeddings=True,
                                     convert_to_tensor=True, show_progress_bar=False).float()
        n = len(w.length)
        dim = self.model.get_embedding_dimension()
        out = torch.empty((n, dim), dtype=torch.float32, device=self.device)
        if n == 0:
            return out
        order = np.argsort(w.length, kind="stable")
        ordered = w.length[order].astype(np.int64)
        begin = np.cumsum(w.length) - w.length
        lo = 0
        with torch.inference_mode():
            while lo < n:  # rows x longest row (the last, lengths ascend) under the budget
                cost = ordered[lo:] * np.arange(1, n - lo + 1)
                hi = lo + max(1, int(np.searchsorted(cost, self.budget, side="right")))
                rows = order[lo:hi]
                out[self._send(rows)] = self._forward(w, rows, begin)
                lo = hi
        return out

    def _forward(self, w: Windows, rows: np.ndarray, begin: np.ndarray):
        import torch
        lens = w.length[rows]
        width = int(lens.max())
        r = np.repeat(np.arange(len(rows)), lens)
        c = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        ids[r, c] = w.ids[np.repeat(begin[rows], lens) + c]
        mask[r, c] = 1
        feats = {"input_ids": self._send(ids), "attention_mask": self._send(mask)}
        if "token_type_ids" in self.keys:
            feats["token_type_ids"] = torch.zeros_like(feats["input_ids"])
        with self._attention():
            emb = self.model(feats)["sentence_embedding"].float()
        return torch.nn.functional.normalize(emb, dim=-1)

    def _send(self, array: np.ndarray):
        import torch
        return torch.from_numpy(array).to(self.device, non_blocking=True)

    def _attention(self):
        """On a GPU, attention kernels other than cuDNN's: on an H200 cuDNN's, PyTorch's first
        choice there, took 70% of the forward pass on short windows with padding masks."""
        import contextlib
        if not self.device.startswith("cuda"):
            return contextlib.nullcontext()
        from torch.nn.attention import SDPBackend, sdpa_kernel
        return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
                            SDPBackend.MATH])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None
