"""Record verification, loss masks and packing, checked on the tiny model's tokenizer."""
from __future__ import annotations

import json

import pytest

from govern.digests import canonical_json
from govern.errors import IntegrityError
from govern.snapshot.create import record_digest, snapshot_id
from govern.train import data as D
from tests.train.conftest import build_tokenizer, chat_records


def _rows(records):
    out = []
    for i, r in enumerate(records):
        c = canonical_json(r)
        out.append((i, c, record_digest(c), "data.jsonl", i + 1))
    return out


def test_verified_records_pass_and_catch_swaps():
    rows = _rows(chat_records(5))
    sid = snapshot_id(r[2] for r in rows)
    assert [r for r, _, _ in D.verified_records(rows, sid)] == [0, 1, 2, 3, 4]
    swapped = list(rows)
    swapped[2] = (2, canonical_json({"id": 99}), rows[2][2], "data.jsonl", 3)
    with pytest.raises(IntegrityError, match="data.jsonl:3"):
        list(D.verified_records(swapped, sid))
    other = _rows(chat_records(5, seed=1))     # consistent digests, but not the attested snapshot
    with pytest.raises(IntegrityError, match="not the attested"):
        list(D.verified_records(other, sid))


def test_loss_mask_covers_exactly_the_assistant_turns():
    tok = build_tokenizer()
    messages = [{"role": "system", "content": "w1"}, {"role": "user", "content": "what color is red"},
                {"role": "assistant", "content": "red yes"}, {"role": "user", "content": "w3 w4"},
                {"role": "assistant", "content": "no w5 w6"}]
    ex = D.encode_chat(tok, messages, 256)
    learned = [t for t, l in zip(ex["input_ids"], ex["labels"]) if l != D.IGNORE]
    assert tok.convert_ids_to_tokens(learned) == ["red", "yes", "<|end|>", "no", "w5", "w6", "<|end|>"]
    assert all(l in (D.IGNORE, t) for t, l in zip(ex["input_ids"], ex["labels"]))


def test_prompt_completion_learns_only_the_completion():
    tok = build_tokenizer()
    ex = D.encode_prompt_completion(tok, "what color is blue", "blue yes", 64)
    learned = [t for t, l in zip(ex["input_ids"], ex["labels"]) if l != D.IGNORE]
    assert tok.convert_ids_to_tokens(learned) == ["blue", "yes", "</s>"]


def test_packed_records_do_not_attend_to_each_other(tiny_llama):
    """Logits of each record inside a packed row equal its logits alone."""
    import torch
    from transformers import AutoModelForCausalLM
    tok = build_tokenizer()
    model = AutoModelForCausalLM.from_pretrained(tiny_llama, attn_implementation="sdpa").eval()
    examples = [D.encode_chat(tok, r["messages"], 64) for r in chat_records(3)]
    rows = D.pack(examples, 64)
    assert len(rows) == 1 and len(rows[0]["input_ids"]) == sum(len(e["input_ids"]) for e in examples)
    batch = D.Collator(tok.pad_token_id, 64)([rows[0]])
    assert "attention_mask" not in batch
    with torch.no_grad():
        packed = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"],
                       use_cache=False).logits[0]
        start = 0
        for ex in sorted(examples, key=lambda e: -len(e["input_ids"])):
            n = len(ex["input_ids"])
            alone = model(input_ids=torch.tensor([ex["input_ids"]])).logits[0]
            assert torch.allclose(packed[start:start + n], alone, atol=1e-5)
            start += n
    # the first token of each packed record is never a target
    starts = [i for i, p in enumerate(rows[0]["position_ids"]) if p == 0]
    assert all(rows[0]["labels"][i] == D.IGNORE for i in starts)
