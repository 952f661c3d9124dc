"""Adapters and evaluations in the report: a tiny Llama trained through `govern train` on an
attested chat snapshot, evaluated against its base; the report lists the adapter's manifest,
the regression verdict and the deltas plot, and writes a governed model card beside itself
while the adapter folder stays verifiable."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.conftest import Chain
from tests.train.conftest import TRAIN_TOML, build_tokenizer, chat_records, write_jsonl

SUITE = Path(__file__).resolve().parents[2] / "evals" / "regression" / "general-text-likelihood"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    c = Chain(tmp_path_factory.mktemp("trained"))
    tok = build_tokenizer()
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=256, pad_token_id=0, bos_token_id=1, eos_token_id=2)
    LlamaForCausalLM(cfg).save_pretrained(c.root / "tiny")
    tok.save_pretrained(c.root / "tiny")
    c.run("init")
    write_jsonl(c.root / "chat.jsonl", chat_records(32))
    (c.root / "train.toml").write_text(TRAIN_TOML)
    c.run("snapshot", "create", "chat.jsonl", "--name", "chat")
    c.run("gate", "chat", "--run")
    c.run("train", "chat", "--base-model", c.root / "tiny", "--out", c.root / "adapter",
          "--config", c.root / "train.toml", "--max-steps", 2)
    c.run("eval", "--base-model", c.root / "tiny", "--adapter", c.root / "adapter", "--suite",
          SUITE, "--train-snapshot", "chat", "--compare-base", "--device", "cpu", expect=(0, 1))
    res = c.run("report", "compliance", "chat", "--out", "reports", "--json")
    c.files = {k: c.root / v for k, v in json.loads(res.output)["files"].items()}
    return c


def test_adapter_and_evaluation_sections(trained):
    r = json.loads(trained.files["json"].read_text())
    assert len(r["adapters"]) == 1
    a = r["adapters"][0]
    manifest = json.loads((trained.root / "adapter" / "govern-manifest.json").read_text())
    assert a["weights_digest"] == manifest["adapter"]["weights_digest"]
    assert a["attestation"] == manifest["attestation"]["digest"] == r["gate"]["latest"]
    assert a["folder"] == str(trained.root / "adapter") and a["verified"] is True
    assert r["gate"]["status"] == "pass"
    [reg] = r["evaluation"]["regressions"]
    assert reg["suites"][0]["name"] == "general-text-likelihood"
    assert r["summary"]["areas"]["evaluation"] == ("pass" if reg["passed"] else "fail")
    modes = sorted(e["mode"] for e in r["evaluation"]["results"])
    assert modes == ["adapter", "zero-shot"]
    html = trained.files["html"].read_text()
    assert 'aria-label="evaluation deltas"' in html
    annex = next(m for m in r["mapping"] if m["id"] == "Annex IV 2(g)")
    assert {e["artifact"] for e in annex["evidence"]} >= {"gate attestation", "regression report"}


def test_governed_model_card_leaves_the_adapter_verifiable(trained):
    card = trained.files["model_card_0"].read_text()
    original = (trained.root / "adapter" / "README.md").read_text()
    assert card.startswith(original.rstrip())
    assert "## Governance" in card and "signature verified" in card
    assert trained.files["json"].name in card
    trained.run("adapter", "verify", trained.root / "adapter")


def test_changed_adapter_weights_show_as_broken(trained, tmp_path):
    import shutil
    from govern.report.compliance import build_report
    from govern.snapshot import resolve
    weights = trained.root / "adapter" / "adapter_model.safetensors"
    saved = tmp_path / "weights"
    shutil.copy(weights, saved)
    try:
        weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
        store = trained.store()
        r = build_report(store, resolve(store, "chat"), trained.policy())
        assert r["adapters"][0]["verified"] is False
        assert "does not match" in r["adapters"][0]["error"]
    finally:
        shutil.copy(saved, weights)


def test_compare_ci_formats(trained):
    import xml.etree.ElementTree as ET
    from govern.report.ci import validate_sarif
    rows = [r for r in trained.store().list_results("eval") if ":" not in r["config"]]
    base = next(r["digest"] for r in rows if r["subject"].endswith(":none"))
    adapter = next(r["digest"] for r in rows if not r["subject"].endswith(":none"))
    res = trained.run("compare", base, adapter, "--out", "cmp", "--format", "junit",
                      expect=(0, 1))
    xml = res.stdout
    case = ET.fromstring(xml).find(".//testcase")
    assert case.get("name") == "general-text-likelihood (mean_log_likelihood)"
    assert (case.find("failure") is not None) == (res.exit_code == 1)
    sarif = trained.run("compare", base, adapter, "--out", "cmp", "--format", "sarif",
                        expect=(0, 1)).stdout
    assert validate_sarif(json.loads(sarif)) == []
