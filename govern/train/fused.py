"""Fused causal-LM loss: the output projection and cross-entropy in chunks, on labelled
positions only, so the (tokens x vocabulary) logits are never held in full.

A 128k vocabulary makes the logits of one 16 x 2,048 micro-batch 8.4 GB in bf16 (twice that
once upcast to fp32), and the stock loss computes them for every position, labelled or not.
Here the gradient of the loss with respect to the hidden states is computed in the forward
pass, one chunk of labelled rows at a time (as liger-kernel's fused linear cross-entropy
does), and kept for the backward pass; the head's weight is frozen under LoRA, so no weight
gradient is needed. Per element the arithmetic is the stock path's: bf16 logits from the
same matrix product, upcast to fp32 for the log-softmax, the gradient cast back to bf16
before the product with the head's weight.
"""
from __future__ import annotations

import types

IGNORE = -100
CHUNK_ELEMENTS = 2 ** 29          # ~4,096 rows of a 128k vocabulary per chunk (1 GiB of bf16 logits)

_compiled = {}


def _chunk(logits, targets, scale):
    """Loss sum and d(loss * scale)/d(logits) of one chunk of rows (all labelled)."""
    import torch
    x = logits.float()
    lse = torch.logsumexp(x, dim=-1)
    picked = x.gather(1, targets[:, None]).squeeze(1)
    p = torch.exp(x - lse[:, None])
    hit = torch.arange(x.shape[1], device=x.device)[None, :] == targets[:, None]
    grad = torch.where(hit, p - 1.0, p) * scale
    return (lse - picked).sum(), grad.to(logits.dtype)


def _chunk_fn(device_type: str):
    """On CUDA the chunk's element-wise work is one compiled kernel pair (any number of rows)."""
    if device_type != "cuda":
        return _chunk
    if "cuda" not in _compiled:
        import torch
        _compiled["cuda"] = torch.compile(_chunk, dynamic=True)
    return _compiled["cuda"]


def _function():
    import torch

    class LinearCrossEntropy(torch.autograd.Function):
        @staticmethod
        def forward(ctx, hidden, weight, targets, divisor):
            rows = (targets != IGNORE).nonzero().squeeze(1)
            grad = torch.zeros_like(hidden)
            total = torch.zeros((), dtype=torch.float32, device=hidden.device)
            step = max(1, CHUNK_ELEMENTS // weight.shape[0])
            # a tensor, not a float: a compiled function specialises on Python floats
            scale = (1.0 / divisor.float() if torch.is_tensor(divisor)
                     else torch.tensor(1.0 / float(divisor), device=hidden.device))
            fn = _chunk_fn(hidden.device.type)
            for start in range(0, rows.numel(), step):
                idx = rows[start:start + step]
                h = hidden.index_select(0, idx)
                loss, g = fn(h @ weight.t(), targets.index_select(0, idx), scale)
                total += loss
                grad.index_copy_(0, idx, g @ weight)
            ctx.save_for_backward(grad)
            return total * scale

        @staticmethod
        def backward(ctx, upstream):
            (grad,) = ctx.saved_tensors
            return grad * upstream.to(grad.dtype), None, None, None

    return LinearCrossEntropy


_FN = []


def linear_cross_entropy(hidden, weight, labels, num_items_in_batch=None):
    """Mean (or sum / num_items_in_batch) next-token cross-entropy of `hidden @ weight.T`
    against `labels` shifted by one, as transformers' ForCausalLMLoss computes it."""
    import torch
    if not _FN:
        _FN.append(_function())
    targets = torch.nn.functional.pad(labels, (0, 1), value=IGNORE)[..., 1:].reshape(-1)
    hidden = hidden.reshape(-1, hidden.shape[-1])
    divisor = num_items_in_batch if num_items_in_batch is not None else (targets != IGNORE).sum()
    if torch.is_tensor(divisor):
        divisor = divisor.to(hidden.device)
    if hidden.dtype != weight.dtype:       # autocast: the head's product runs in the autocast dtype
        dtype = torch.get_autocast_dtype(hidden.device.type) if torch.is_autocast_enabled(hidden.device.type) \
            else weight.dtype
        hidden, weight = hidden.to(dtype), weight.to(dtype)
    return _FN[0].apply(hidden, weight, targets, divisor)


def supported(model) -> bool:
    """A decoder with a plain, frozen linear head: no logit soft-capping or scaling, no bias."""
    cfg = model.config
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    decoder = getattr(model, "model", None)
    if head is None or decoder is None or getattr(head, "bias", None) is not None:
        return False
    if any(getattr(cfg, k, None) for k in ("final_logit_softcapping", "logit_scale", "output_multiplier")):
        return False
    return type(head).__name__ == "Linear"


def _disabled(fn):
    """Keep the loss out of torch.compile's graph, and everything it calls (it selects the
    labelled rows, a data-dependent shape, which would recompile at every step); the decoder
    before it stays compiled, and the chunk's element-wise work is compiled on its own."""
    import torch
    return torch.compiler.disable(fn, recursive=True)


def apply(model) -> bool:
    """Replace the causal LM's forward with one that returns the fused loss (and no logits)
    when labels are given; without labels it is the stock forward. True when applied."""
    if not supported(model):
        return False
    from transformers.modeling_outputs import CausalLMOutputWithPast
    stock = model.forward
    loss_fn = _disabled(linear_cross_entropy)
    drop = ("output_attentions", "output_hidden_states", "return_dict", "use_cache",
            "logits_to_keep", "num_logits_to_keep")

    def forward(self, input_ids=None, attention_mask=None, position_ids=None, inputs_embeds=None,
                labels=None, num_items_in_batch=None, **kwargs):
        head = self.get_output_embeddings().weight
        if labels is None or not self.training or head.requires_grad:
            return stock(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                         inputs_embeds=inputs_embeds, labels=labels,
                         **({"num_items_in_batch": num_items_in_batch} if num_items_in_batch is not None
                            else {}), **kwargs)
        for k in drop:
            kwargs.pop(k, None)
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                         inputs_embeds=inputs_embeds, use_cache=False, **kwargs)
        hidden = out[0] if isinstance(out, tuple) else out.last_hidden_state
        loss = loss_fn(hidden, head, labels, num_items_in_batch)
        return CausalLMOutputWithPast(loss=loss, logits=None)

    model.forward = types.MethodType(forward, model)
    return True
