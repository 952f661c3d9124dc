"""Scoring suites with an encoder (the demo's MiniLM): mean-pooled embeddings, the
no-fine-tune classification baselines, the adapter's classifier, and the similarity probe.

Baselines without fine-tuning: zero-shot (nearest label description), few-shot (nearest of
the suite's labelled examples) and retrieval (k-nearest-neighbour vote over the training
snapshot's records).
"""
from __future__ import annotations

from collections import Counter

import numpy as np


class Encoder:
    def __init__(self, model, tokenizer, device: str, batch_size: int = 32, classifier=None):
        self.model, self.tok, self.device = model, tokenizer, device
        self.batch_size, self.classifier = batch_size, classifier

    def _batches(self, texts: list[str]):
        for i in range(0, len(texts), self.batch_size):
            enc = self.tok(texts[i:i + self.batch_size], padding=True, truncation=True,
                           max_length=256, return_tensors="pt")
            yield {k: v.to(self.device) for k, v in enc.items()}

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length mean-pooled last hidden states, as sentence-transformers pools MiniLM."""
        import torch
        out = []
        with torch.inference_mode():
            for batch in self._batches(texts):
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 1), dtype=np.float32)

    def classify(self, texts: list[str]) -> tuple[list[int], np.ndarray]:
        """The adapter's classification head: (predicted index, probabilities)."""
        import torch
        probs = []
        with torch.inference_mode():
            for batch in self._batches(texts):
                probs.append(torch.softmax(self.classifier(**batch).logits, -1).float().cpu().numpy())
        p = np.concatenate(probs)
        return list(p.argmax(1)), p


def nearest_label(emb: np.ndarray, ref_emb: np.ndarray, ref_labels: list[str], k: int = 1) -> list[str]:
    """Majority label of the k most similar references (ties: the most similar wins)."""
    sims = emb @ ref_emb.T
    out = []
    for row in sims:
        top = np.argsort(-row, kind="stable")[:k]
        votes = Counter(ref_labels[j] for j in top)
        best = max(votes.values())
        out.append(next(ref_labels[j] for j in top if votes[ref_labels[j]] == best))
    return out


def classification_modes(enc: Encoder, suite, train_records: list[dict] | None) -> dict[str, list[str]]:
    """Predicted labels per no-fine-tune mode that the suite and inputs allow."""
    field = suite.meta.get("text_field", "text")
    texts = [i[field] for i in suite.items]
    emb = enc.embed(texts)
    labels = suite.labels
    described = suite.meta.get("label_descriptions", {})
    modes = {"zero-shot": nearest_label(emb, enc.embed([described.get(l, l) for l in labels]),
                                        labels)}
    shots = suite.meta.get("few_shot") or []
    if shots:
        modes["few-shot"] = nearest_label(emb, enc.embed([s["text"] for s in shots]),
                                          [s["label"] for s in shots])
    if train_records:
        label_field = suite.meta.get("label_field", "label")
        refs = [r for r in train_records if isinstance(r.get(field), str) and r.get(label_field)]
        if refs:
            modes["retrieval"] = nearest_label(
                emb, enc.embed([r[field] for r in refs]), [str(r[label_field]) for r in refs],
                k=int(suite.meta.get("retrieval_k", 5)))
    return modes


def adapter_predictions(enc: Encoder, suite, adapter_labels: list[str]) -> list[str]:
    texts = [i[suite.meta.get("text_field", "text")] for i in suite.items]
    idx, _ = enc.classify(texts)
    return [adapter_labels[j] for j in idx]


def similarity_scores(enc: Encoder, suite) -> list[dict]:
    """Triplet probe: passes when the anchor is closer to its positive than to its negative;
    the score is that margin in cosine similarity."""
    a = enc.embed([i["anchor"] for i in suite.items])
    p = enc.embed([i["positive"] for i in suite.items])
    n = enc.embed([i["negative"] for i in suite.items])
    margin = (a * p).sum(1) - (a * n).sum(1)
    return [{"id": it["id"], "pass": bool(m > 0), "score": round(float(m), 6)}
            for it, m in zip(suite.items, margin)]
