"""The model under evaluation: base model and optional LoRA adapter, their digests, and loading.

Base models resolve as training resolves them (a local folder or an installed model package);
an adapter is a peft folder, ideally with govern's manifest naming its digest and labels.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from govern.digests import digest_json
from govern.errors import UsageError

MANIFEST = "govern-manifest.json"


def adapter_files_digest(folder: Path) -> str:
    """The digest `govern train` writes into its manifest: over the table of adapter files."""
    from govern.train.manifest import adapter_files
    return digest_json(adapter_files(Path(folder)))


@dataclass
class ModelUnderTest:
    """A base model, maybe with an adapter: what `govern eval` names results after."""
    base_path: Path
    base_digest: str
    family: str                     # "encoder" or "causal"
    adapter_path: Path | None = None
    adapter_digest: str | None = None
    adapter_manifest: dict = field(default_factory=dict)
    snapshot_id: str | None = None      # the training snapshot the manifest names

    @property
    def subject(self) -> str:
        return f"{self.base_digest}:{self.adapter_digest or 'none'}"

    def describe(self) -> dict:
        return {"model": {"path": str(self.base_path), "digest": self.base_digest,
                          "family": self.family},
                "adapter": None if not self.adapter_path else
                {"path": str(self.adapter_path), "digest": self.adapter_digest,
                 "task": self.adapter_manifest.get("task"), "snapshot": self.snapshot_id}}


def model_family(folder: Path) -> str:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    archs = config.get("architectures") or []
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs) or config.get("is_decoder"):
        return "causal"
    if config.get("model_type") in ("gpt2", "llama", "mistral", "qwen2", "qwen3", "gemma", "phi3"):
        return "causal"
    return "encoder"


def open_model(base_model: str, adapter: str | Path | None = None) -> ModelUnderTest:
    """Resolve and fingerprint the base model and adapter (no weights are loaded yet)."""
    from govern.train.model import model_digests, resolve_base_model
    base = resolve_base_model(base_model)
    mut = ModelUnderTest(base, model_digests(base)["digest"], model_family(base))
    if adapter is None:
        return mut
    folder = Path(adapter)
    if not (folder / "adapter_config.json").is_file():
        raise UsageError(f"{folder} is not a peft adapter folder (no adapter_config.json)")
    manifest = {}
    if (folder / MANIFEST).is_file():
        from govern.train.manifest import read_manifest, verify_adapter
        verify_adapter(folder)  # re-hashes the files: IntegrityError when they changed
        manifest = read_manifest(folder)
        digest = manifest["adapter"]["digest"]
    else:
        digest = adapter_files_digest(folder)
    base_claim = (manifest.get("base_model") or {}).get("digest")
    if base_claim and base_claim != mut.base_digest:
        raise UsageError(f"adapter {folder} was trained on another base model "
                         f"({base_claim[:12]}, not {mut.base_digest[:12]})")
    mut.adapter_path, mut.adapter_digest, mut.adapter_manifest = folder, digest, manifest
    mut.snapshot_id = (manifest.get("snapshot") or {}).get("id")
    return mut


def adapter_task(mut: ModelUnderTest) -> str:
    config = json.loads((mut.adapter_path / "adapter_config.json").read_text(encoding="utf-8"))
    return "classification" if config.get("task_type") == "SEQ_CLS" else "causal-lm"


def adapter_labels(mut: ModelUnderTest) -> list[str]:
    labels = mut.adapter_manifest.get("labels")
    if not labels:
        raise UsageError(f"adapter {mut.adapter_path} names no labels",
                         hint=f"a classification adapter's {MANIFEST} lists its \"labels\"")
    return list(labels)


def load_tokenizer(folder: Path):
    from govern.train.model import load_tokenizer as load
    return load(folder)


def quiet_transformers():
    """Weight-loading progress bars would flood CI logs."""
    import transformers
    transformers.utils.logging.disable_progress_bar()
    return transformers


def load_encoder(mut: ModelUnderTest, device: str):
    """(encoder module returning hidden states, classifier or None); LoRA applied if any."""
    transformers = quiet_transformers()
    if mut.adapter_path is None:
        model = transformers.AutoModel.from_pretrained(mut.base_path, local_files_only=True)
        return model.to(device).eval(), None
    if adapter_task(mut) != "classification":
        raise UsageError("an encoder base model takes a classification adapter")
    from peft import PeftModel
    labels = adapter_labels(mut)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        mut.base_path, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={l: i for i, l in enumerate(labels)}, local_files_only=True)
    model = PeftModel.from_pretrained(model, mut.adapter_path).to(device).eval()
    # the LoRA layers sit inside the encoder, so its hidden states carry the adapter
    return model.get_base_model().base_model, model


def load_causal(mut: ModelUnderTest, device: str):
    transformers = quiet_transformers()
    model = transformers.AutoModelForCausalLM.from_pretrained(mut.base_path, local_files_only=True)
    if mut.adapter_path is not None:
        if adapter_task(mut) != "causal-lm":
            raise UsageError("a causal LM base model takes a causal-lm adapter")
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, mut.adapter_path)
    return model.to(device).eval()
