"""Eval suites: JSONL items plus a small TOML metadata file, found by name or path.

A suite is a folder holding `suite.toml` (items in `items.jsonl` unless `items = "..."` says
otherwise), or a metadata file `NAME.suite.toml` next to its items, or a JSONL file with a
sibling `<stem>.suite.toml`. The suite digest covers the metadata and every item, so a changed
golden set is a new version with a new digest.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from govern.digests import digest_json
from govern.errors import InputError, UsageError

KINDS = {
    "classification": ("accuracy", "macro_f1"),
    "generation": ("exact_match", "normalized_match", "contains", "regex", "json_schema"),
    "likelihood": ("mean_log_likelihood",),
    "similarity": ("triplet_accuracy",),
}
ROLES = ("golden", "regression")
REQUIRED_FIELDS = {"classification": ("text", "label"), "generation": ("reference",),
                   "likelihood": ("text",), "similarity": ("anchor", "positive", "negative")}


@dataclass
class Suite:
    meta: dict
    items: list[dict]
    path: Path

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def kind(self) -> str:
        return self.meta["kind"]

    @property
    def role(self) -> str:
        return self.meta.get("role", "regression")

    @property
    def metric(self) -> str:
        return self.meta.get("metric") or KINDS[self.kind][0]

    @property
    def digest(self) -> str:
        meta = {k: v for k, v in self.meta.items() if k != "items"}
        return digest_json({"meta": meta, "items": self.items})

    @property
    def labels(self) -> list[str]:
        return list(self.meta.get("labels") or sorted({i["label"] for i in self.items}))

    def describe(self) -> dict:
        return {"name": self.name, "version": self.meta.get("version", 1), "kind": self.kind,
                "role": self.role, "metric": self.metric, "digest": self.digest,
                "count": len(self.items), "thresholds": dict(self.meta.get("thresholds") or {})}


def _read_items(path: Path, kind: str) -> list[dict]:
    if not path.is_file():
        raise InputError("suite items file not found", str(path))
    items, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"invalid JSON ({e.msg})", str(path), n) from None
            if not isinstance(item, dict) or "id" not in item:
                raise InputError("each item needs an \"id\"", str(path), n)
            missing = [k for k in REQUIRED_FIELDS[kind] if k not in item]
            if kind == "generation" and "prompt" not in item and "text" not in item:
                missing.append("prompt")
            if missing:
                raise InputError(f"item lacks {', '.join(missing)} for a {kind} suite",
                                 str(path), n)
            if item["id"] in seen:
                raise InputError(f"duplicate item id {item['id']!r}", str(path), n)
            seen.add(item["id"])
            items.append(item)
    if not items:
        raise InputError("suite has no items", str(path))
    return items


def load_suite(meta_path: Path) -> Suite:
    """Read one suite from its metadata file; checks kind, role, metric and items."""
    meta_path = Path(meta_path)
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"invalid TOML: {e}", str(meta_path)) from None
    for key in ("name", "kind"):
        if key not in meta:
            raise InputError(f"suite metadata lacks `{key}`", str(meta_path))
    kind = meta["kind"]
    if kind not in KINDS:
        raise InputError(f"unknown suite kind {kind!r}", str(meta_path),
                         hint=f"kinds: {', '.join(KINDS)}")
    if meta.get("role", "regression") not in ROLES:
        raise InputError(f"unknown role {meta['role']!r}", str(meta_path), hint="golden or regression")
    if meta.get("metric", KINDS[kind][0]) not in KINDS[kind]:
        raise InputError(f"metric {meta['metric']!r} does not fit a {kind} suite", str(meta_path),
                         hint=f"metrics: {', '.join(KINDS[kind])}")
    default = "items.jsonl" if meta_path.name == "suite.toml" else \
        meta_path.name.removesuffix(".suite.toml") + ".jsonl"
    items = _read_items(meta_path.parent / meta.get("items", default), kind)
    return Suite(meta, items, meta_path)


def _metadata_files(root: Path) -> list[Path]:
    return sorted(list(root.rglob("suite.toml")) + list(root.rglob("*.suite.toml")))


def find_suite(ref: str, evals_dir: Path | None = None) -> Suite:
    """REF is a suite folder, a metadata file, a JSONL file with metadata beside it, or a name
    declared in a metadata file under `evals/`."""
    p = Path(ref)
    if p.is_dir() and (p / "suite.toml").is_file():
        return load_suite(p / "suite.toml")
    if p.is_file() and p.name.endswith(".toml"):
        return load_suite(p)
    if p.is_file() and p.suffix == ".jsonl":
        sibling = p.with_name(p.stem + ".suite.toml")
        if sibling.is_file():
            return load_suite(sibling)
        raise UsageError(f"{p} has no suite metadata beside it",
                         hint=f"write {sibling.name} (name, kind, metric) next to it")
    root = Path(evals_dir) if evals_dir else Path("evals")
    if root.is_dir():
        for meta_path in _metadata_files(root):
            try:
                meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError:
                continue
            if meta.get("name") == ref:
                return load_suite(meta_path)
    raise UsageError(f"no eval suite named or at {ref!r}",
                     hint=f"give a suite folder or file, or a name declared under {root}/")
