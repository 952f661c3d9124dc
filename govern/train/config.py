"""The resolved training config: schema defaults < the task's defaults < govern.toml [train]
< train.toml < options.

The same JSON Schema (govern/policy/schema/train.json) validates the policy section and a
per-run train.toml, so a key means the same everywhere. The resolved config is recorded in the
adapter manifest with its digest.
"""
from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

from govern.digests import digest_json
from govern.errors import InputError


def schema() -> dict:
    text = (resources.files("govern.policy") / "schema" / "train.json").read_text("utf-8")
    return json.loads(text)


# Defaults that depend on the task. Classification: chosen by bench/train_defaults.py (MiniLM,
# CPU, MMLU topic classification from ../shared/data; docs/train.md has the figures): LoRA
# alone on a frozen encoder needs a far higher learning rate and several passes, and the head
# (pooler and classifier, both newly fitted) must train in full. Causal LM: the usual LoRA SFT
# settings (not re-measured here).
TASK_DEFAULTS = {
    "classification": {"learning_rate": 2e-3, "epochs": 10, "r": 16, "alpha": 32,
                       "warmup_ratio": 0.1, "max_length": 256,
                       "modules_to_save": ["classifier", "score", "pooler"]},
    "causal-lm": {"learning_rate": 2e-4, "epochs": 1, "r": 16, "alpha": 32,
                  "warmup_ratio": 0.0, "max_length": 1024, "modules_to_save": []},
}


def defaults(task: str = "causal-lm") -> dict:
    """Schema defaults plus the task's own."""
    base = {k: v["default"] for k, v in schema()["properties"].items() if "default" in v}
    return {**base, **TASK_DEFAULTS[task]}


def read_config_file(path: Path) -> dict:
    """A train.toml: keys at the top level or under [train]; validated like the policy."""
    path = Path(path)
    if not path.exists():
        raise InputError("training config not found", str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"invalid TOML: {e}", str(path)) from None
    if set(data) == {"train"}:
        data = data["train"]
    check(data, str(path))
    return data


def check(data: dict, where: str) -> None:
    """Validate keys and values against the schema; the error names the key."""
    import difflib

    import jsonschema
    props = schema()["properties"]
    for key in data:
        if key not in props:
            close = difflib.get_close_matches(key, list(props), n=1)
            raise InputError(f"unknown training option {key!r}", where,
                             hint=f"did you mean {close[0]!r}?" if close else
                             f"allowed: {', '.join(sorted(props))}")
    try:
        jsonschema.validate(data, {**schema(), "default": None})
    except jsonschema.ValidationError as e:
        key = ".".join(str(p) for p in e.absolute_path) or "config"
        raise InputError(f"{key}: {e.message}", where) from None


def resolve_config(policy_section: dict | None = None, config_file: Path | None = None,
                   overrides: dict | None = None) -> dict:
    """Merge the layers; options set to None are left to the layers below. The task, from the
    highest layer that names it, picks the defaults under all of them."""
    layers = [dict(policy_section or {})]
    if config_file:
        layers.append(read_config_file(config_file))
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    if given:
        check(given, "command options")
        layers.append(given)
    task = next((layer["task"] for layer in reversed(layers) if "task" in layer),
                schema()["properties"]["task"]["default"])
    config = defaults(task)
    for layer in layers:
        config.update(layer)
    return config


def config_digest(config: dict) -> str:
    return digest_json(config)
