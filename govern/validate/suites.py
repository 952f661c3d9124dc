"""Great Expectations suites as plain GX JSON files: the shipped ones, picking, digests.

Shipped suites live in `expectations/` (one per data layout). A suite's digest covers its
parsed JSON (formatting does not count) and the version of govern's derived columns, so a
changed suite or a changed meaning of `_chars` makes older validation results stale.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from govern.digests import digest_json
from govern.errors import InputError
from govern.validate.frame import DERIVED_VERSION

LAYOUT_SUITES = {"chat": "chat.json", "prompt-completion": "prompt-completion.json",
                 "classification": "classification.json", "text": "text.json"}


def expectations_dir() -> Path:
    """The shipped suites (GOVERN_EXPECTATIONS may point elsewhere)."""
    env = os.environ.get("GOVERN_EXPECTATIONS")
    if env:
        return Path(env)
    import govern
    return Path(govern.__file__).resolve().parent.parent / "expectations"


def default_suites(layout: str) -> list[Path]:
    """The shipped suite for a data layout; empty for layouts nobody wrote a suite for."""
    name = LAYOUT_SUITES.get(layout)
    if not name:
        return []
    path = expectations_dir() / name
    return [path] if path.exists() else []


def read_suite(path: Path) -> dict:
    """The suite's JSON; malformed files are input errors naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read suite ({e.strerror})", str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", str(path), e.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise InputError("not a Great Expectations suite (no \"expectations\" list)", str(path))
    data.setdefault("name", path.stem)
    return data


def suite_digest(path: Path) -> str:
    """Digest naming what a suite checks: its parsed JSON plus the derived-column version."""
    return digest_json({"suite": read_suite(path), "derived": DERIVED_VERSION})


def suites_config(paths: list[Path], labels: list | None = None) -> str:
    """The result config of a validation run: the suite digest (or a digest over several),
    and the declared labels when [validate] labels applies."""
    digests = [suite_digest(p) for p in paths]
    config = digests[0] if len(digests) == 1 else digest_json({"suites": sorted(digests)})
    return digest_json({"suites": config, "labels": labels}) if labels else config


def policy_labels(policy, layout: str) -> list | None:
    """`[validate] labels` for classification data (None when unset or another layout)."""
    labels = policy.section("validate").get("labels") or []
    return list(labels) if labels and layout == "classification" else None


def labels_suite(labels: list, field: str = "label") -> dict:
    """The label check `[validate] labels` adds to a classification run: every record's
    label is one of the declared labels."""
    return {"name": "labels", "expectations": [
        {"type": "expect_column_values_to_be_in_set",
         "kwargs": {"column": field, "value_set": list(labels)},
         "meta": {"notes": "the labels declared in [validate] labels"}}],
        "meta": {"govern": "from [validate] labels in govern.toml"}}


def policy_suites(policy, layout: str) -> list[Path]:
    """Suites named in [validate] suites (relative to govern.toml), else the layout's default."""
    named = policy.section("validate").get("suites") or []
    if named:
        base = policy.base_dir()
        return [p if p.is_absolute() else base / p for p in map(Path, named)]
    return default_suites(layout)
