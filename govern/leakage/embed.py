"""Window embeddings, the semantic method's hot path.

A window is a span of a training text (`plan`): a short text is one window; a text longer than
the window width (twice the golden items' median token count) also gets windows of consecutive
sentences and clauses of at most that width (starting every quarter width) and of half of it
(starting at every sentence), so a golden item copied or rephrased inside a long record is seen on its own. Embedding each window as its own
string would tokenise its characters again. Here each text is tokenised once by the model's
fast tokenizer, with character offsets, and a window's input is the slice of those tokens
between its offsets, framed by the model's first and last special tokens. For WordPiece
tokenizers, which split at whitespace and punctuation, that is exactly the input the window's
own string would give; a probe at load time checks it, and a tokenizer that fails the probe
embeds window strings.

Host work (windows, tokenising, slicing) runs in worker processes chunk by chunk while the
device embeds the chunk before. Windows go to the model in length-sorted batches under a token
budget, so little of each batch is padding.
"""
from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass

import numpy as np

PROBES = ["Hello support team, order 4471-B was charged twice: refund it! Thanks.",
          "Ünïcödé  spaces\tand\nlines. e.g. x=1; y = 2.0? Done...  ok",
          "I can't log in since 3/14; error E1029 (again). Lisbon, Portugal.",
          " ".join(f"Step {i} of the reset failed: code X{i}." for i in range(60))]  # truncated
CHUNK = 2048  # texts per unit of host work
GROUP = 8192  # texts per unit of device work (chunks are joined)
SPREAD = 1.5  # a batch's longest row is at most this times its shortest, plus 8 tokens
FIRST_CHUNK = 256  # the first chunks and groups are smaller, so the device starts soon


@dataclass
class Windows:
    """The windows of a list of texts, in text order: owner text, char span, their model
    inputs as one flat token array with per-window lengths, and their token sets (the pair
    features' side of each window, made with the windows in the host workers)."""
    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    ids: np.ndarray
    length: np.ndarray
    sets: object = None  # pairs.TextSets

    @staticmethod
    def join(parts: list[Windows], counts: list[int]) -> Windows:
        """The windows of consecutive chunks of `counts[i]` texts each, as one."""
        if len(parts) == 1:
            return parts[0]
        from govern.leakage.pairs import TextSets
        base = np.cumsum([0] + counts[:-1])
        return Windows(np.concatenate([p.owner + b for p, b in zip(parts, base)]),
                       *(np.concatenate([getattr(p, f) for p in parts])
                         for f in ("start", "end", "ids", "length")),
                       TextSets.join([p.sets for p in parts]))


_TOKENIZER: dict = {}


class _NONE:  # the encoding of a text when there is no fast tokenizer (window strings are embedded)
    ids, offsets = [], []


def _init(tokenizer_json: str, frame: tuple[int, int], limit: int, width: int = 0,
          parent: int | None = None) -> None:
    """One tokenizer per process, built once. A pool worker (`parent` given) tokenises on one
    thread, since the processes are the parallelism, and ends with its parent."""
    if parent is not None:
        from govern.engine.local import watch_parent
        watch_parent(parent)
        os.environ["RAYON_NUM_THREADS"] = "1"
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
    _TOKENIZER["width"] = width or limit
    if _TOKENIZER.get("key") == (tokenizer_json, frame, limit):
        return
    tok = None
    if tokenizer_json:
        from tokenizers import Tokenizer
        tok = Tokenizer.from_str(tokenizer_json)
        tok.no_truncation()
        tok.no_padding()
    _TOKENIZER.update(tok=tok, frame=frame, limit=limit, key=(tokenizer_json, frame, limit))


PIECE = re.compile(r"\S.*?(?:[.!?:;]+(?=\s|$)|(?=\n)|$)", re.S)  # sentences and clauses


def plan(text: str, ends: np.ndarray, width: int) -> list[tuple[int, int]]:
    """(start, end) of the windows of `text`, whose tokens end at char offsets `ends`: the
    whole text; when it has more than `width` tokens, also runs of pieces (sentences, clauses)
    of at most `width` tokens, one starting at the first piece a quarter width or more after
    the last one's start, and of at most `width / 2` tokens from every piece. A golden item of
    up to 3/4 width inside is whole in a window, one of up to half width (the golden items'
    median length) in a window that starts with it."""
    if len(ends) <= width:
        return [(0, len(text))]
    pieces = [m.span() for m in PIECE.finditer(text)]
    if len(pieces) <= 1:
        return [(0, len(text))]
    first = np.searchsorted(ends, [a for a, _ in pieces], side="right")  # tokens before
    last = np.searchsorted(ends, [b for _, b in pieces], side="right")   # tokens up to end
    out = {(0, len(text))}
    for size, stride in ((width, width // 4), (max(width // 2, 16), 0)):
        prev, j = None, 0
        for i in range(len(pieces)):
            if prev is not None and first[i] - first[prev] < stride:
                continue
            j = max(j, i)
            while j + 1 < len(pieces) and last[j + 1] - first[i] <= size:
                j += 1
            out.add((pieces[i][0], pieces[j][1]))
            prev = i
            if j == len(pieces) - 1:
                break
    return sorted(out)


def prepare(texts: list[str]) -> Windows:
    """Windows of `texts` and their token slices (runs in a worker, or in-process)."""
    tok, (first, last), limit = _TOKENIZER["tok"], _TOKENIZER["frame"], _TOKENIZER["limit"]
    width = _TOKENIZER["width"]
    encs = tok.encode_batch(texts, add_special_tokens=False) if tok else [_NONE] * len(texts)
    owner, spans = [], []
    for n, text in enumerate(texts):
        ends = (np.array([e for _, e in encs[n].offsets], dtype=np.int64) if tok else
                np.array([m.end() for m in re.finditer(r"\w+|[^\w\s]", text)], dtype=np.int64))
        ws = plan(text, ends, width)
        owner.extend([n] * len(ws))
        spans.extend(ws)
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
    from govern.leakage.pairs import TextSets
    sets = TextSets.of([texts[o][s:e] for o, (s, e) in zip(owner, spans)])
    return Windows(own.astype(np.int32), span[:, 0].astype(np.int32), span[:, 1].astype(np.int32),
                   flat.astype(np.int32), length.astype(np.int32), sets)


class _Later:
    """The host work for a chunk done in this process, when its result is asked for."""

    def __init__(self, texts: list[str]):
        self.texts = texts

    def ready(self) -> bool:
        return True

    def get(self) -> Windows:
        return prepare(self.texts)


def batches(lens: np.ndarray, budget: int):
    """(lo, hi) batches over ascending window lengths: rows x the longest row (the last)
    within the token budget, and no row much longer than the first, so one long window does
    not pad a batch of short ones to its length."""
    out, lo, n = [], 0, len(lens)
    while lo < n:
        cost = lens[lo:] * np.arange(1, n - lo + 1)
        hi = lo + int(np.searchsorted(cost, budget, side="right"))
        hi = max(lo + 1, min(hi, int(np.searchsorted(lens, lens[lo] * SPREAD + 8, "right"))))
        out.append((lo, hi))
        lo = hi
    return out


def mean_pooled_body(model):
    """The transformer inside a SentenceTransformer that is a Transformer, mean Pooling and
    optionally Normalize (MiniLM's make-up), else None. It is called directly with a 4-D
    attention mask: given the 2-D mask, transformers checks on the host whether any token
    is padding, which waits for the device on every batch."""
    mods = list(model)
    if len(mods) < 2 or [type(m).__name__ for m in mods[:2]] != ["Transformer", "Pooling"] \
            or any(type(m).__name__ != "Normalize" for m in mods[2:]):
        return None
    conf = mods[1].get_config_dict()
    modes = {k for k, v in conf.items() if k.startswith("pooling_mode_") and v is True}
    mean = conf.get("pooling_mode") == "mean" or modes == {"pooling_mode_mean_tokens"}
    if not mean or not conf.get("include_prompt", True):
        return None
    body = getattr(mods[0], "auto_model", None)
    sdpa = getattr(getattr(body, "config", None), "_attn_implementation", "") == "sdpa"
    return body if sdpa else None  # other attention code reads a 4-D mask otherwise


class WindowEmbedder:
    """Embeds the windows of batches of texts with a SentenceTransformer model."""

    def __init__(self, model, device: str, workers: int = 1, token_budget: int = 65536,
                 width: int = 0, onnx=None):
        self.model, self.device, self.budget = model, device, token_budget
        self.width, self.onnx = width, onnx  # onnx: an OnnxEncoder run instead of torch
        tok = model.tokenizer
        self.limit = int(model.max_seq_length or 512)
        self.keys = set(model.preprocess(["probe"]).keys())
        self.frame = (tok.cls_token_id, tok.sep_token_id)
        self.json = tok.backend_tokenizer.to_str() if hasattr(tok, "backend_tokenizer") else ""
        self.workers, self.pool = max(1, workers), None
        self.chunk = CHUNK
        self.sliced = bool(self.json) and None not in self.frame and self._probe()
        self.body = mean_pooled_body(model)

    def _probe(self) -> bool:
        """Do token slices give the same model input as each window's own string?"""
        _init(self.json, self.frame, self.limit, 16)  # short windows: sentences are probed too
        got = prepare(PROBES)
        ends = np.cumsum(got.length)
        texts = [PROBES[o][s:e] for o, s, e in zip(got.owner, got.start, got.end)]
        want = self.model.preprocess(texts)["input_ids"]
        return all(got.ids[e - n:e].tolist() == want[k][:n].tolist() and
                   (n == want.shape[1] or int(want[k][n]) == self.model.tokenizer.pad_token_id)
                   for k, (n, e) in enumerate(zip(got.length, ends)))

    def submit(self, texts: list[str]):
        """Start the host work for a chunk of texts; `.ready()` and `.get()` on the result give
        its Windows. With several workers it runs in a worker process, else at `.get()`."""
        if self.workers == 1:
            _init(self.json, self.frame, self.limit, self.width)
            return _Later(texts)
        if self.pool is None:
            ctx = multiprocessing.get_context("spawn")
            self.pool = ctx.Pool(self.workers, _init,
                                 (self.json, self.frame, self.limit, self.width, os.getpid()))
        return self.pool.apply_async(prepare, (texts,))

    def embed(self, w: Windows, texts: list[str]):
        """Normalised embeddings (a tensor on the device) of every window, in window order;
        `texts` are the texts `w` was cut from. The work is queued without waiting for the
        device: the chunk's tokens go over in one copy and each batch is cut from them there.
        Batches hold windows of similar length (sorted), so little of each is padding."""
        import torch
        if not self.sliced:
            strings = [texts[o][s:e] for o, s, e in zip(w.owner, w.start, w.end)]
            return self.model.encode(strings, batch_size=128, normalize_embeddings=True,
                                     convert_to_tensor=True, show_progress_bar=False).float()
        n = len(w.length)
        if self.onnx is not None:
            return torch.from_numpy(self._embed_onnx(w))
        dim = self.model.get_embedding_dimension()
        out = torch.empty((n, dim), dtype=torch.float32, device=self.device)
        if n == 0:
            return out
        order = np.argsort(w.length, kind="stable")
        lens = w.length[order].astype(np.int64)
        begin = (np.cumsum(w.length) - w.length)[order]
        # one int64 array to the device: window order, token starts, lengths, tokens
        packed = self._send(np.concatenate([order, begin, lens, w.ids.astype(np.int64)]))
        order_t, begin_t, lens_t, ids_t = packed[:n], packed[n:2 * n], packed[2 * n:3 * n], \
            packed[3 * n:]
        with torch.inference_mode():
            for lo, hi in batches(lens, self.budget):
                cols = torch.arange(int(lens[hi - 1]), device=self.device)
                mask = cols < lens_t[lo:hi, None]
                ids = ids_t[(begin_t[lo:hi, None] + cols) * mask] * mask
                out[order_t[lo:hi]] = self._forward(ids, mask)
        return out

    def _embed_onnx(self, w: Windows) -> np.ndarray:
        """`embed` through onnxruntime on the host: the same length-sorted batches."""
        n = len(w.length)
        out = np.empty((n, self.model.get_embedding_dimension()), dtype=np.float32)
        order = np.argsort(w.length, kind="stable")
        lens = w.length[order].astype(np.int64)
        begin = (np.cumsum(w.length) - w.length)[order]
        budget = min(self.budget, 8192)  # CPU batches: smaller, the cache is what counts
        for lo, hi in batches(lens, budget):
            cols = np.arange(int(lens[hi - 1]))
            mask = cols < lens[lo:hi, None]
            ids = w.ids[(begin[lo:hi, None] + cols) * mask] * mask
            out[order[lo:hi]] = self.onnx(ids, mask)
        return out

    def _forward(self, ids, mask):
        import torch
        with self._attention():
            if self.body is not None:  # Transformer + mean Pooling (+ Normalize)
                hidden = self.body(input_ids=ids, attention_mask=mask[:, None, None, :])[0]
                m = mask.unsqueeze(-1).to(hidden.dtype)
                emb = (hidden * m).sum(1).float() / m.sum(1).float()
            else:
                feats = {"input_ids": ids, "attention_mask": mask.long()}
                if "token_type_ids" in self.keys:
                    feats["token_type_ids"] = torch.zeros_like(ids)
                emb = self.model(feats)["sentence_embedding"].float()
        return torch.nn.functional.normalize(emb, dim=-1)

    def _send(self, array: np.ndarray):
        """A host array on the device; on a GPU from pinned memory, so the copy does not wait
        for the work queued before it."""
        import torch
        t = torch.from_numpy(array)
        if self.device.startswith("cuda"):
            t = t.pin_memory()
        return t.to(self.device, non_blocking=True)

    def _attention(self):
        """On a GPU, the memory-efficient attention kernel. Measured on an H200 on short
        windows: cuDNN's, PyTorch's first choice there, took 70% of the forward pass, and
        unpadded batches on the flash kernel ran slower than padded ones on this one."""
        import contextlib
        if not self.device.startswith("cuda"):
            return contextlib.nullcontext()
        from torch.nn.attention import SDPBackend, sdpa_kernel
        return sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None
