"""Fixtures for training tests: a tiny Llama with an offline word-level tokenizer and a chat
template, toy data files, and gate attestations made through govern.gate's own API."""
from __future__ import annotations

import json
import random

import pytest

SPECIAL = ["<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
WORDS = [f"w{i}" for i in range(40)] + ["red", "green", "blue", "yes", "no", "color", "is", "what"]
TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} <|end|> {% endfor %}"
            "{% if add_generation_prompt %}<|assistant|> {% endif %}")


def build_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    vocab = {t: i for i, t in enumerate(SPECIAL + WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", unk_token="<unk>")
    fast.add_special_tokens({"additional_special_tokens": SPECIAL[4:]})
    fast.chat_template = TEMPLATE
    return fast


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory):
    """A 2-layer Llama from a config, saved as a local Hugging Face folder."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    folder = tmp_path_factory.mktemp("tiny-llama")
    tok = build_tokenizer()
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=256, initializer_range=0.3, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    LlamaForCausalLM(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def chat_records(n: int, seed: int = 0) -> list[dict]:
    """A learnable toy task: the assistant answers the colour named in the question."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        noise = " ".join(rng.choice(WORDS[:40]) for _ in range(rng.randint(1, 6)))
        colour = rng.choice(["red", "green", "blue"])
        out.append({"id": i, "messages": [
            {"role": "system", "content": "w1 w2"},
            {"role": "user", "content": f"{noise} what color is {colour}"},
            {"role": "assistant", "content": f"{colour} {colour} yes"}]})
    return out


def write_jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def snapshot(govern, records, name: str) -> str:
    path = write_jsonl(govern.tmp_path / f"{name}.jsonl", records)
    res = govern("snapshot", "create", path, "--name", name)
    assert res.exit_code == 0, res.output
    return res.output.strip().splitlines()[-1]


def attest(govern, ref: str, decision: str = "pass") -> str:
    """Sign and record a gate decision for REF under the current policy (govern.gate's API)."""
    from govern.gate.attestation import build_statement, sign_and_record
    from govern.policy import load_policy
    from govern.snapshot import resolve
    from govern.store import open_store
    store = open_store(govern.store)
    snap, policy = resolve(store, ref), load_policy(govern.tmp_path / "govern.toml")
    checks = [{"name": "pii", "status": decision, "reason": "test", "result": None}]
    digest = sign_and_record(store, snap, policy, build_statement(snap, policy, decision, checks, []))
    store.close()
    return digest


TRAIN_TOML = """
[train]
max_length = 64
batch_size = 8
learning_rate = 0.01
r = 8
logging_steps = 1
seed = 7
"""


@pytest.fixture
def train_toml(tmp_path):
    path = tmp_path / "train.toml"
    path.write_text(TRAIN_TOML, encoding="utf-8")
    return path
