"""Scoring suites with a causal LM: reference-text likelihood, label likelihood for
classification (zero-shot, few-shot, retrieval-augmented demonstrations) and greedy generation.
"""
from __future__ import annotations

import math


class CausalLM:
    def __init__(self, model, tokenizer, device: str, batch_size: int = 8):
        self.model, self.tok, self.device, self.batch_size = model, tokenizer, device, batch_size

    def continuation_logprobs(self, pairs: list[tuple[str, str]]) -> list[tuple[float, int]]:
        """(sum of log p(continuation tokens | context), token count) for each (context, text)."""
        import torch
        out = []
        bos = [self.tok.bos_token_id] if self.tok.bos_token_id is not None else []
        for i in range(0, len(pairs), self.batch_size):
            rows = []
            for ctx, cont in pairs[i:i + self.batch_size]:
                c = bos + self.tok(ctx, add_special_tokens=False)["input_ids"] if ctx else bos
                t = self.tok(cont, add_special_tokens=False)["input_ids"]
                if not c:  # the first token of a text with no context has nothing to be scored on
                    c, t = t[:1], t[1:]
                limit = self.max_length()
                t = t[:limit - 1]
                c = c[-(limit - len(t)):]  # long demonstrations lose their oldest tokens
                rows.append((c, t))
            width = max(len(c) + len(t) for c, t in rows)
            pad = self.tok.pad_token_id or 0
            ids = torch.full((len(rows), width), pad, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for r, (c, t) in enumerate(rows):
                ids[r, :len(c) + len(t)] = torch.tensor(c + t)
                mask[r, :len(c) + len(t)] = 1
            with torch.inference_mode():
                logits = self.model(input_ids=ids.to(self.device),
                                    attention_mask=mask.to(self.device)).logits.float()
            logp = torch.log_softmax(logits, -1).cpu()
            for r, (c, t) in enumerate(rows):
                pos = torch.arange(len(c) - 1, len(c) + len(t) - 1)
                tokens = torch.tensor(t, dtype=torch.long)
                out.append((float(logp[r, pos, tokens].sum()) if t else 0.0, len(t)))
        return out

    def max_length(self) -> int:
        config = self.model.config
        return int(getattr(config, "n_positions", None) or
                   getattr(config, "max_position_embeddings", None) or 2048)

    def generate(self, prompts: list[str], max_new_tokens: int = 64) -> list[str]:
        import torch
        out = []
        self.tok.truncation_side = "left"  # keep the end of a long prompt: the question
        for p in prompts:
            enc = self.tok(p, return_tensors="pt", truncation=True,
                           max_length=max(1, self.max_length() - max_new_tokens)).to(self.device)
            with torch.inference_mode():
                ids = self.model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                          pad_token_id=self.tok.pad_token_id)
            out.append(self.tok.decode(ids[0, enc["input_ids"].shape[1]:], skip_special_tokens=True))
        return out


def likelihood_items(lm: CausalLM, suite) -> list[dict]:
    """Per item: mean log-likelihood per token (the score) and its token count."""
    scored = lm.continuation_logprobs([("", i["text"]) for i in suite.items])
    return [{"id": it["id"], "pass": None, "score": round(s / max(n, 1), 6), "tokens": n,
             "log_likelihood": round(s, 6)} for it, (s, n) in zip(suite.items, scored)]


def render(template: str, item: dict) -> str:
    return template.format_map({k: v for k, v in item.items() if isinstance(v, (str, int, float))})


def demonstrations(examples: list[dict], template: str, answer_field: str) -> str:
    return "".join(render(template, e) + " " + str(e[answer_field]) + "\n\n" for e in examples)


def classify_by_likelihood(lm: CausalLM, suite, demos_per_item: list[list[dict]]) -> list[str]:
    """Predict the label whose text is most likely after the prompt (and demonstrations)."""
    template = suite.meta.get("prompt", "{text}\nLabel:")
    label_field = suite.meta.get("label_field", "label")
    labels = suite.labels
    pairs = []
    for item, demos in zip(suite.items, demos_per_item):
        context = demonstrations(demos, template, label_field) + render(template, item)
        pairs += [(context, " " + label) for label in labels]
    scores = lm.continuation_logprobs(pairs)
    preds = []
    for i in range(len(suite.items)):
        row = scores[i * len(labels):(i + 1) * len(labels)]
        # mean per token, so long label names are not penalised for their length
        preds.append(labels[max(range(len(labels)), key=lambda j: row[j][0] / max(row[j][1], 1))])
    return preds


def generation_outputs(lm: CausalLM, suite, demos: list[dict]) -> list[str]:
    template = suite.meta.get("prompt", "{prompt}")
    prefix = demonstrations(demos, template, "reference") if demos else ""
    prompts = [prefix + render(template, item) for item in suite.items]
    return lm.generate(prompts, int(suite.meta.get("max_new_tokens", 64)))


def perplexity(items: list[dict]) -> float:
    total, n = sum(i["log_likelihood"] for i in items), sum(i["tokens"] for i in items)
    return math.exp(-total / n) if n else float("nan")
