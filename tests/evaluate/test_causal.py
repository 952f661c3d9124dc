"""Causal LMs: likelihood against the model's own loss, a planted forgetting regression is
caught, an adapter equal to its base gives "no significant change", baselines and generation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERAL = REPO / "evals" / "regression" / "general-text-likelihood"
GOLDEN = REPO / "evals" / "golden" / "support_tickets.suite.toml"


def _digests(output: str) -> list[str]:
    import re
    return re.findall(r"\b[0-9a-f]{64}\b", output)


def test_likelihood_equals_model_loss(tiny_gpt2):
    import torch
    from transformers import AutoModelForCausalLM
    from govern.evaluate.causal import CausalLM, likelihood_items
    from govern.evaluate.model import load_tokenizer
    from govern.evaluate.suite import find_suite
    suite = find_suite(str(GENERAL))
    model, tok = AutoModelForCausalLM.from_pretrained(tiny_gpt2).eval(), load_tokenizer(tiny_gpt2)
    items = likelihood_items(CausalLM(model, tok, "cpu", batch_size=7), suite)
    for item, got in list(zip(suite.items, items))[:5]:
        ids = tok(item["text"], return_tensors="pt")["input_ids"]
        ids = torch.cat([torch.tensor([[tok.bos_token_id]]), ids], 1)
        with torch.no_grad():
            loss = model(input_ids=ids, labels=ids).loss  # mean over the text's tokens
        assert got["tokens"] == ids.shape[1] - 1
        assert got["score"] == pytest.approx(-float(loss), abs=1e-4)


def test_planted_forgetting_is_a_regression(govern, tiny_gpt2, make_causal_adapter, tmp_path):
    adapter = make_causal_adapter(tiny_gpt2, tmp_path / "forget",
                                  "zz zz zz zz zz zz zz zz zz zz zz zz zz zz zz zz")
    res = govern("eval", "--base-model", tiny_gpt2, "--adapter", adapter, "--suite", GENERAL,
                 "--compare-base", "--out", tmp_path / "reports", "--json")
    assert res.exit_code == 1, res.output
    out = json.loads(res.output[:res.output.rindex("}") + 1])
    (suite,) = out["suites"]
    assert suite["verdict"] == "regressed" and suite["delta"] < -0.05 and suite["p_value"] < 0.05
    from govern.store import open_store
    stored = open_store(govern.store).get_json(out["report"])  # the report round-trips,
    assert stored.pop("bound")["kind"] == "regression"  # stored naming its subject (issue 21)
    assert json.loads(Path(out["files"]["json"]).read_text()) == stored
    assert stored["suites"][0]["delta"] == suite["delta"] and stored["passed"] is False
    junit = Path(out["files"]["xml"]).read_text()
    assert "<failure" in junit and "significant drop" in junit and "general-text-likelihood" in junit


def test_identical_adapter_is_no_significant_change(govern, tiny_gpt2, make_causal_adapter,
                                                     tmp_path):
    adapter = make_causal_adapter(tiny_gpt2, tmp_path / "same", None)
    base = govern("eval", "--base-model", tiny_gpt2, "--suite", GENERAL)
    tuned = govern("eval", "--base-model", tiny_gpt2, "--adapter", adapter, "--suite", GENERAL)
    assert base.exit_code == 0 and tuned.exit_code == 0, base.output + tuned.output
    res = govern("compare", _digests(base.output)[0], _digests(tuned.output)[0],
                 "--out", tmp_path / "r", "--json")
    assert res.exit_code == 0, res.output
    (suite,) = json.loads(res.output)["suites"]
    assert suite["verdict"] == "no significant change"
    assert suite["delta"] == pytest.approx(0, abs=1e-6) and suite["p_value"] > 0.05
    # the same comparison by model subjects (all recorded suites, paired by suite digest)
    from govern.store import open_store
    tuned_payload = open_store(govern.store).get_json(_digests(tuned.output)[0])
    model, adapter_digest = tuned_payload["model"]["digest"], tuned_payload["adapter"]["digest"]
    res = govern("compare", f"{model}:none", f"{model}:{adapter_digest}", "--out", tmp_path / "r",
                 "--json")
    assert res.exit_code == 0, res.output
    assert [s["verdict"] for s in json.loads(res.output)["suites"]] == ["no significant change"]


def test_causal_baselines_and_generation(govern, tiny_gpt2, tmp_path):
    from govern.store import open_store
    golden = tmp_path / "golden"
    golden.mkdir()
    meta = GOLDEN.read_text().replace('items = "support_tickets.jsonl"', 'items = "items.jsonl"')
    (golden / "suite.toml").write_text(meta.split("[[few_shot]]", 3)[0] + "[[few_shot]]" +
                                       meta.split("[[few_shot]]", 3)[1])  # one demonstration
    lines = (GOLDEN.parent / "support_tickets.jsonl").read_text().splitlines()
    (golden / "items.jsonl").write_text("\n".join(lines[::6]) + "\n")
    res = govern("eval", "--base-model", tiny_gpt2, "--suite", golden, "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["mode"] for r in rows][1:] != [] and {r["mode"] for r in rows} == {"zero-shot", "few-shot"}
    best = rows[0]
    assert best["best"] and best["value"] == max(r["value"] for r in rows)
    payload = open_store(govern.store).get_json(best["digest"])
    assert payload["mode"] == best["mode"] and len(payload["items"]) == 10
    assert set(payload["baselines"]) == {"zero-shot", "few-shot"}
    assert payload["adapter"] is None and payload["kind"] == "classification"
    # retrieval: the nearest training tickets as demonstrations
    assert govern("snapshot", "create", REPO / "examples" / "support_tickets.jsonl",
                  "--name", "tickets").exit_code == 0
    res = govern("eval", "--base-model", tiny_gpt2, "--suite", golden, "--train-snapshot",
                 "tickets", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert {r["mode"] for r in rows} == {"zero-shot", "few-shot", "retrieval"}
    best = open_store(govern.store).get_json(rows[0]["digest"])
    assert set(best["baselines"]) == {"zero-shot", "few-shot", "retrieval"}
    assert best["train_snapshot"] and best["metrics"]["accuracy"] == max(
        m["accuracy"] for m in best["baselines"].values())

    gen = tmp_path / "gen"
    gen.mkdir()
    (gen / "suite.toml").write_text('name = "json-out"\nkind = "generation"\nrole = "golden"\n'
                                    'metric = "json_schema"\nmax_new_tokens = 4\n'
                                    'prompt = "{prompt} JSON:"\n'
                                    '[schema]\ntype = "object"\n')
    (gen / "items.jsonl").write_text("".join(json.dumps({"id": f"J{i}", "prompt": f"item {i}",
                                                         "reference": "{}"}) + "\n" for i in range(3)))
    res = govern("eval", "--base-model", tiny_gpt2, "--suite", gen, "--json")
    assert res.exit_code == 0, res.output
    payload = open_store(govern.store).get_json(json.loads(res.output)[0]["digest"])
    assert [i["id"] for i in payload["items"]] == ["J0", "J1", "J2"]
    assert payload["metrics"]["json_schema"] == sum(i["pass"] for i in payload["items"]) / 3


def test_tampered_adapter_is_an_integrity_failure(govern, tiny_gpt2, make_causal_adapter,
                                                  tmp_path):
    adapter = make_causal_adapter(tiny_gpt2, tmp_path / "tampered", None)
    weights = adapter / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes() + b" ")
    res = govern("eval", "--base-model", tiny_gpt2, "--adapter", adapter, "--suite", GENERAL)
    assert res.exit_code == 3, res.output


def test_compare_refuses_results_on_different_suites(govern, tiny_gpt2, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "suite.toml").write_text('name = "other"\nkind = "likelihood"\n')
    (other / "items.jsonl").write_text('{"id": "x", "text": "a short text"}\n')
    a = govern("eval", "--base-model", tiny_gpt2, "--suite", GENERAL)
    b = govern("eval", "--base-model", tiny_gpt2, "--suite", other)
    res = govern("compare", _digests(a.output)[0], _digests(b.output)[0], "--out", tmp_path)
    assert res.exit_code == 2 and "different suites" in res.output
