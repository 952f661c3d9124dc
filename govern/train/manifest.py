"""The adapter's provenance: govern-manifest.json, the README model card, and `verify`.

The manifest names the snapshot, the attestation, the base model and tokenizer (by digest),
the resolved config, seeds, library versions, devices, metrics, and the sha256 of every file
the adapter is made of. `verify_adapter` re-hashes those files; it never trusts stored status.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import govern
from govern.digests import digest_json, sha256_file
from govern.errors import IntegrityError, UsageError

MANIFEST = "govern-manifest.json"
FORMAT = 1
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "README.md")


def library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {"govern": govern.__version__, "python": platform.python_version()}
    for name in ("torch", "transformers", "peft", "accelerate", "tokenizers", "liger-kernel"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def adapter_files(folder: Path) -> dict[str, str]:
    return {n: sha256_file(folder / n) for n in ADAPTER_FILES if (folder / n).is_file()}


def model_card(manifest: dict) -> str:
    s, b = manifest["snapshot"], manifest["base_model"]
    att = manifest["attestation"]["digest"] if manifest.get("attestation") else "none"
    lines = ["---", "library_name: peft", f"base_model: {b['name']}", "tags: [lora, govern]", "---",
             f"# LoRA adapter ({manifest['task']})", "",
             f"Trained by govern {manifest['libraries']['govern']} on snapshot `{s['id']}`"
             f"{' (' + s['name'] + ')' if s.get('name') else ''}: {s['records']} records, "
             f"every one re-hashed as it was read.", "",
             f"- gate attestation: `{att}`", f"- base model digest: `{b['digest']}`",
             f"- training config digest: `{manifest['config_digest']}`",
             f"- seed: {manifest['config']['seed']}; devices: "
             + ", ".join(d.get("name", d["type"]) for d in manifest["devices"]),
             f"- final training loss: {manifest['metrics'].get('train_loss')}", "",
             "Load with `PeftModel.from_pretrained(base, this_folder)`. "
             "`govern adapter verify` re-hashes the weights against `govern-manifest.json`.", ""]
    return "\n".join(lines)


def write_outputs(folder: Path, manifest: dict) -> dict:
    """Write the model card, hash the adapter files into the manifest, write the manifest."""
    folder = Path(folder)
    (folder / "README.md").write_text(model_card(manifest), encoding="utf-8")
    files = adapter_files(folder)
    if "adapter_model.safetensors" not in files:
        raise UsageError(f"{folder} holds no adapter_model.safetensors")
    manifest = {**manifest, "adapter": {"files": files,
                                        "weights_digest": files["adapter_model.safetensors"],
                                        "digest": digest_json(files)}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise UsageError(f"{folder} has no {MANIFEST}: not an adapter written by govern train")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise IntegrityError(f"{path}: manifest is not valid JSON ({e.msg})") from None


def manifest_digest(manifest: dict) -> str:
    return digest_json(manifest)


def verify_adapter(folder: Path, store=None) -> dict:
    """Re-hash the adapter's files against its manifest (and the store's record, if any).

    Returns {"manifest": digest, "files": n, "recorded": bool}; raises IntegrityError.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    expected = manifest.get("adapter", {}).get("files", {})
    if "adapter_model.safetensors" not in expected:
        raise IntegrityError(f"{folder / MANIFEST} names no adapter weights")
    problems = []
    for name, digest in sorted(expected.items()):
        if not (folder / name).is_file():
            problems.append(f"{name} is missing")
        elif sha256_file(folder / name) != digest:
            problems.append(f"{name} does not match its manifest digest")
    if digest_json(expected) != manifest["adapter"].get("digest"):
        problems.append("the manifest's adapter digest does not match its file table")
    recorded = False
    if store is not None:  # this adapter's own record: later runs never change the verdict
        from govern.train.adapters import records_for
        digest = manifest_digest(manifest)
        mine, weights_known = records_for(store, digest, manifest["adapter"]["weights_digest"])
        for row in mine:
            stored = store.get_json(row["digest"])
            if manifest_digest({k: v for k, v in stored.items() if k != "bound"}) != digest:
                problems.append(f"the store's record {row['digest'][:12]} of this manifest "
                                "holds another manifest")
        recorded = bool(mine)
        if not mine and weights_known:
            problems.append("the manifest differs from the one recorded in the store")
    if problems:
        raise IntegrityError(f"adapter {folder}: " + "; ".join(problems),
                             hint="the adapter or its manifest changed after training")
    return {"manifest": manifest_digest(manifest), "files": len(expected), "recorded": recorded,
            "weights_digest": expected["adapter_model.safetensors"]}


