"""Turning verified snapshot records into token sequences: chat, prompt/completion, plain
text and classification; loss only on assistant/completion tokens; optional packing.

Every record is re-hashed as it is read (verify on read): a record whose canonical JSON no
longer hashes to its digest, or a record list whose digests no longer make the snapshot id,
stops training before the first optimizer step (IntegrityError, exit 3).
"""
from __future__ import annotations

import json
from typing import Iterable, Iterator

from govern.errors import InputError, IntegrityError
from govern.snapshot.create import record_digest, snapshot_id

IGNORE = -100


def verified_records(rows: Iterable[tuple], expected_id: str) -> Iterator[tuple[int, dict, str]]:
    """(row, record, digest) for rows of (row, canonical, digest, file, line), re-hashed."""
    digests = []
    for row, canonical, digest, file, line in rows:
        actual = record_digest(canonical)
        if actual != digest:
            raise IntegrityError(f"{file}:{line}: record {row} does not hash to the digest the "
                                 f"snapshot recorded ({actual[:12]} != {digest[:12]})",
                                 hint="the snapshot's stored data changed after it was gated")
        digests.append(actual)
        yield row, json.loads(canonical), actual
    if snapshot_id(digests) != expected_id:
        raise IntegrityError(f"the records read make snapshot {snapshot_id(digests)[:12]}, "
                             f"not the attested {expected_id[:12]}",
                             hint="records were added, removed or swapped after the gate")


def _render(tokenizer, messages, generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False,
                                         add_generation_prompt=generation_prompt)


def encode_chat(tokenizer, messages: list[dict], max_length: int) -> dict:
    """Full chat through the template; labels only on the assistant turns' tokens."""
    if not getattr(tokenizer, "chat_template", None):
        raise InputError("the tokenizer has no chat template, needed for chat records",
                         hint="use a model with a chat template, or prompt/completion records")
    full = _render(tokenizer, messages, False)
    spans = []
    for i, m in enumerate(messages):
        if m.get("role") != "assistant":
            continue
        start = len(_render(tokenizer, messages[:i], True)) if i else 0
        end = len(_render(tokenizer, messages[:i + 1], False))
        spans.append((start, end))
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True,
                    truncation=True, max_length=max_length)
    labels = [tok if any(s <= a < e for s, e in spans) else IGNORE
              for tok, (a, _) in zip(enc["input_ids"], enc["offset_mapping"])]
    return {"input_ids": enc["input_ids"], "labels": labels}


def encode_prompt_completion(tokenizer, prompt: str, completion: str, max_length: int) -> dict:
    p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
    c = tokenizer(completion, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        c = c + [tokenizer.eos_token_id]
    ids = (p + c)[:max_length]
    return {"input_ids": ids, "labels": ([IGNORE] * len(p) + c)[:max_length]}


def encode_text(tokenizer, text: str, max_length: int) -> dict:
    ids = tokenizer(text, add_special_tokens=True, truncation=True, max_length=max_length)["input_ids"]
    return {"input_ids": ids, "labels": list(ids)}


def encode_causal(tokenizer, record: dict, layout: str, max_length: int) -> dict:
    if "messages" in record:
        return encode_chat(tokenizer, record["messages"], max_length)
    if "prompt" in record and "completion" in record:
        return encode_prompt_completion(tokenizer, record["prompt"], record["completion"], max_length)
    if isinstance(record.get("text"), str):
        return encode_text(tokenizer, record["text"], max_length)
    raise InputError(f"a {layout} record has no messages, prompt/completion or text field",
                     hint="use --task classification for text/label records")


def encode_classification(tokenizer, record: dict, text_field: str, label_field: str,
                          label_ids: dict, max_length: int) -> dict:
    ids = tokenizer(str(record[text_field]), truncation=True, max_length=max_length)["input_ids"]
    return {"input_ids": ids, "label": label_ids[str(record[label_field])]}


def pack(examples: list[dict], max_length: int) -> list[dict]:
    """Best-fit-decreasing packing into rows of at most max_length tokens: longest record
    first, each into the fullest row it still fits (O(n log n) over a sorted list of free
    space). Each record keeps its own positions (0..n), so attention never crosses records;
    a record's first token is not a target (it must not be predicted from the record before it)."""
    import bisect
    rows: list[dict] = []
    free: list[tuple[int, int]] = []          # (free tokens, row index), sorted
    # longest first fills rows best; sorted() is stable, so equal data packs equally
    for ex in sorted(examples, key=lambda e: -len(e["input_ids"])):
        n = len(ex["input_ids"])
        if n < 2:
            continue
        i = bisect.bisect_left(free, (n, -1))
        if i == len(free):
            row = {"input_ids": [], "labels": [], "position_ids": []}
            rows.append(row)
            left, index = max_length, len(rows) - 1
        else:
            left, index = free.pop(i)
            row = rows[index]
        row["input_ids"] += ex["input_ids"]
        row["labels"] += [IGNORE] + ex["labels"][1:]
        row["position_ids"] += list(range(n))
        if left - n >= 2:
            bisect.insort(free, (left - n, index))
    return rows


class Collator:
    """Pads a batch to its longest sequence. Packed rows go without attention_mask and with
    position_ids, from which transformers builds a per-record (block-diagonal) causal mask."""

    def __init__(self, pad_id: int, width: int | None = None):
        self.pad_id, self.width = pad_id, width

    def __call__(self, batch: list[dict]) -> dict:
        import torch
        width = self.width or max(len(b["input_ids"]) for b in batch)
        out = {"input_ids": [b["input_ids"] + [self.pad_id] * (width - len(b["input_ids"]))
                             for b in batch]}
        if "label" in batch[0]:
            out["labels"] = [b["label"] for b in batch]
        else:
            out["labels"] = [b["labels"] + [IGNORE] * (width - len(b["labels"])) for b in batch]
        if "position_ids" in batch[0]:
            out["position_ids"] = [b["position_ids"] + list(range(width - len(b["position_ids"])))
                                   for b in batch]
        else:
            out["attention_mask"] = [[1] * len(b["input_ids"]) + [0] * (width - len(b["input_ids"]))
                                     for b in batch]
        return {k: torch.tensor(v) for k, v in out.items()}
