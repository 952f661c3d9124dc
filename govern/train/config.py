"""The resolved training config: schema defaults < govern.toml [train] < train.toml < options.

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


def defaults() -> dict:
    return {k: v["default"] for k, v in schema()["properties"].items()}


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
    """Merge the layers; options set to None are left to the layers below."""
    config = defaults()
    config.update({k: v for k, v in (policy_section or {}).items()})
    if config_file:
        config.update(read_config_file(config_file))
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    if given:
        check(given, "command options")
        config.update(given)
    return config


def config_digest(config: dict) -> str:
    return digest_json(config)
