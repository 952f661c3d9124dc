"""The fused causal-LM loss (govern.train.fused): the same loss and gradients as transformers'
stock loss, one chunk of labelled rows at a time, and the same training run step by step."""
from __future__ import annotations

import pytest

from govern.train import fused
from tests.train.conftest import chat_records


@pytest.mark.parametrize("chunk_rows, ignored, scaled", [
    (1, 0.0, False),          # one row per chunk, every row labelled
    (3, 0.5, False),          # chunks that do not divide the labelled rows
    (1000, 0.3, True),        # one chunk; loss divided by a given num_items_in_batch
    (2, 0.9, True),           # almost nothing labelled
])
def test_loss_and_gradients_equal_the_stock_loss(monkeypatch, chunk_rows, ignored, scaled):
    import torch
    from transformers.loss.loss_utils import ForCausalLMLoss
    vocab, width = 37, 16
    monkeypatch.setattr(fused, "CHUNK_ELEMENTS", chunk_rows * vocab)
    g = torch.Generator().manual_seed(chunk_rows)
    hidden = torch.randn(3, 11, width, generator=g, dtype=torch.float32)
    weight = torch.randn(vocab, width, generator=g, dtype=torch.float32)
    labels = torch.randint(0, vocab, (3, 11), generator=g)
    labels[torch.rand(3, 11, generator=g) < ignored] = -100
    labels[0, 1:] = torch.where(labels[0, 1:] == -100, 5, labels[0, 1:])   # at least one target
    items = torch.tensor(17) if scaled else None

    h1 = hidden.clone().requires_grad_()
    ref = ForCausalLMLoss(h1 @ weight.t(), labels, vocab, num_items_in_batch=items)
    ref.backward()
    h2 = hidden.clone().requires_grad_()
    got = fused.linear_cross_entropy(h2, weight, labels, items)
    got.backward()
    assert torch.allclose(got, ref, rtol=1e-6, atol=0)
    assert torch.allclose(h2.grad, h1.grad, rtol=1e-5, atol=1e-6)
    unlabelled = torch.nn.functional.pad(labels, (0, 1), value=-100)[:, 1:] == -100
    assert (h2.grad[unlabelled] == 0).all()          # no work and no gradient off the targets


def _fit(tiny_llama, out, fused_loss, monkeypatch):
    from govern.digests import canonical_json
    from govern.snapshot.create import record_digest, snapshot_id
    from govern.train.config import defaults
    from govern.train.trainer import fit
    monkeypatch.setattr(fused, "CHUNK_ELEMENTS", 56 * 24)     # several chunks per micro-batch
    rows = []
    for i, rec in enumerate(chat_records(40, seed=3)):
        c = canonical_json(rec)
        rows.append((i, c, record_digest(c), "chat.jsonl", i + 1))
    config = {**defaults(), "max_length": 64, "batch_size": 4, "grad_accum": 2, "max_steps": 8,
              "learning_rate": 0.01, "r": 8, "logging_steps": 1, "seed": 11, "fused_loss": fused_loss}
    result = fit(rows, snapshot_id(r[2] for r in rows), "chat", tiny_llama, out, config,
                 show_progress=False)
    return result


def test_fused_training_follows_the_stock_loss_curve(tiny_llama, tmp_path, monkeypatch):
    """Eight optimizer steps (two micro-batches each) with the fused and the stock loss: the
    losses agree step by step and the adapters end close; the fused run repeats bit for bit."""
    from safetensors.torch import load_file
    a = _fit(tiny_llama, tmp_path / "fused", "auto", monkeypatch)
    b = _fit(tiny_llama, tmp_path / "stock", False, monkeypatch)
    assert a.metrics["runtime"]["fused_loss"] is True and b.metrics["runtime"]["fused_loss"] is False
    la = [l for _, l in a.metrics["loss_curve"]]
    lb = [l for _, l in b.metrics["loss_curve"]]
    assert len(la) == len(lb) == 8
    assert la[-1] < la[0]                                  # it trains
    for x, y in zip(la, lb):
        assert abs(x - y) <= 1e-4 * abs(y), (la, lb)
    wa = load_file(tmp_path / "fused" / "adapter_model.safetensors")
    wb = load_file(tmp_path / "stock" / "adapter_model.safetensors")
    assert wa.keys() == wb.keys()
    for k in wa:
        assert (wa[k] - wb[k]).abs().max() <= 1e-4 * wb[k].abs().max() + 1e-6, k
    again = _fit(tiny_llama, tmp_path / "again", "auto", monkeypatch)
    assert (tmp_path / "again" / "adapter_model.safetensors").read_bytes() == \
        (tmp_path / "fused" / "adapter_model.safetensors").read_bytes()
    assert [l for _, l in again.metrics["loss_curve"]] == la


def test_lora_layers_skip_the_fp32_input_round_trip_with_identical_results(tiny_llama):
    """Under bf16 autocast, LoRA layers that skip peft's cast of their input to fp32 give the
    same loss and the same adapter gradients, bit for bit."""
    import torch

    from govern.train.config import defaults
    from govern.train.model import load_lora_model, skip_input_casts

    def loss_and_grads(skip: bool):
        torch.manual_seed(5)
        model = load_lora_model(tiny_llama, {**defaults(), "attention": "sdpa"}, torch.float32)
        model.to(torch.bfloat16)
        for n, p in model.named_parameters():
            if p.requires_grad:
                p.data = p.data.float()        # fp32 adapters on a bf16 base, as peft keeps them
                torch.nn.init.normal_(p, std=0.2)
        n = skip_input_casts(model) if skip else 0
        ids = torch.tensor([[1, 5, 9, 12, 30, 6, 40, 41, 42, 8]])
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        return n, loss, {k: p.grad for k, p in model.named_parameters() if p.requires_grad}

    _, loss_a, grads_a = loss_and_grads(False)
    n, loss_b, grads_b = loss_and_grads(True)
    assert n == 2 * 7                                   # every adapted projection of both layers
    assert torch.equal(loss_a, loss_b)
    assert all(torch.equal(grads_a[k], grads_b[k]) for k in grads_a)
