"""Benchmark inputs for `bench/train_gpu.py`: a ~1.24B-parameter Llama-architecture model
(random initialisation from a config; speed does not depend on the weights), a word-level
tokenizer with a 128,256-token vocabulary and a chat template, and generated chat records.

    python bench/train_setup.py DIR [--records 1500] [--seed 0]

DIR/data.jsonl holds RECORDS chats of 150 to ~2,100 tokens (the seq 2,048 rows); DIR/data-long.jsonl
RECORDS / 4 chats of ~1,000 to ~8,000 tokens (the seq 8,192 row).
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

VOCAB = 128256
SPECIAL = ["<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} <|end|> {% endfor %}"
            "{% if add_generation_prompt %}<|assistant|> {% endif %}")
# Llama 3.2 1B shapes: hidden 2048, 16 layers, 32 heads / 8 KV heads, tied embeddings
SHAPE = dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
             num_attention_heads=32, num_key_value_heads=8, vocab_size=VOCAB,
             max_position_embeddings=8192, tie_word_embeddings=True, rope_theta=500000.0)


def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    words = [f"t{i}" for i in range(VOCAB - len(SPECIAL))]
    tok = Tokenizer(models.WordLevel({t: i for i, t in enumerate(SPECIAL + words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", unk_token="<unk>")
    fast.add_special_tokens({"additional_special_tokens": SPECIAL[4:]})
    fast.chat_template = TEMPLATE
    return fast


def records(n: int, seed: int) -> list[dict]:
    """Chats of 1 system, 1 user and 1 assistant turn; 150 to ~2,100 tokens each."""
    rng = random.Random(seed)
    words = VOCAB - len(SPECIAL)

    def text(k):
        return " ".join(f"t{rng.randrange(words)}" for _ in range(k))
    return [{"id": i, "messages": [{"role": "system", "content": text(12)},
                                   {"role": "user", "content": text(rng.randint(64, 1000))},
                                   {"role": "assistant", "content": text(rng.randint(64, 1000))}]}
            for i in range(n)]


def long_records(n: int, seed: int) -> list[dict]:
    """Long chats for the seq 8,192 row: ~1,000 to ~8,000 tokens each."""
    rng = random.Random(seed + 1)
    words = VOCAB - len(SPECIAL)

    def text(k):
        return " ".join(f"t{rng.randrange(words)}" for _ in range(k))
    return [{"id": i, "messages": [{"role": "system", "content": text(12)},
                                   {"role": "user", "content": text(rng.randint(500, 4000))},
                                   {"role": "assistant", "content": text(rng.randint(500, 4000))}]}
            for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--records", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tiny", action="store_true", help="2 small layers: a CPU check of the script")
    a = ap.parse_args()
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    model_dir = a.dir / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(a.seed)
    shape = {**SHAPE, **(dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                              num_attention_heads=4, num_key_value_heads=2) if a.tiny else {})}
    cfg = LlamaConfig(**shape, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = LlamaForCausalLM(cfg).to(torch.bfloat16)
    print(f"model: {sum(p.numel() for p in model.parameters()) / 1e9:.3f}B parameters", flush=True)
    model.save_pretrained(model_dir)
    tokenizer().save_pretrained(model_dir)
    for name, recs in (("data.jsonl", records(a.records, a.seed)),
                       ("data-long.jsonl", long_records(a.records // 4, a.seed))):
        with open(a.dir / name, "w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
