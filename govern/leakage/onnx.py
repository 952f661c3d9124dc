"""MiniLM through onnxruntime: the semantic method's CPU path.

The SentenceTransformer's transformer, mean pooling and normalisation are exported once to an
ONNX graph (offline, from the installed model folder) and cached under
`$GOVERN_CACHE` (default `~/.cache/govern`) by model digest; an int8 copy (dynamic quantisation
of the MatMul weights, per channel) is made from it when asked for. A session takes the same
token ids and mask as the PyTorch path and returns the same normalised embeddings.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from govern.errors import MissingDependency

RUNTIMES = ("auto", "onnx", "onnx-int8", "torch")


def cache_dir() -> Path:
    root = os.environ.get("GOVERN_CACHE") or Path.home() / ".cache" / "govern"
    return Path(root) / "onnx"


def _export(model, path: Path) -> None:
    """The model's transformer + mean pooling + normalisation as one ONNX graph."""
    import torch

    body = model[0].auto_model

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = body

        def forward(self, ids, mask):
            hidden = self.body(input_ids=ids, attention_mask=mask,
                               token_type_ids=torch.zeros_like(ids))[0]
            m = mask.unsqueeze(-1).to(hidden.dtype)
            emb = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(emb, dim=-1)

    ids = torch.ones((2, 8), dtype=torch.int64)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    import warnings
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(Pooled().eval(), (ids, torch.ones_like(ids)), str(tmp),
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    tmp.replace(path)


def _quantize(src: Path, path: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    quantize_dynamic(str(src), str(tmp), per_channel=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"])
    tmp.replace(path)


def exported(model, key: str, int8: bool = False) -> Path:
    """The cached ONNX file of `model` (key: the model's digest), exported on first use."""
    folder = cache_dir() / key
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / "model.onnx"
    if not fp32.exists():
        _export(model, fp32)
    if not int8:
        return fp32
    q = folder / "model-int8.onnx"
    if not q.exists():
        _quantize(fp32, q)
    return q


class OnnxEncoder:
    """An onnxruntime session over the exported graph: (ids, mask) -> normalised embeddings."""

    def __init__(self, model, key: str, int8: bool = False, threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError:
            raise MissingDependency("onnxruntime is not installed",
                                    hint="pip install onnxruntime, or set [leakage.semantic] "
                                         "runtime = \"torch\"") from None
        self.path = exported(model, key, int8)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.path), opts,
                                            providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids.astype(np.int64),
                                       "attention_mask": mask.astype(np.int64)})[0]
