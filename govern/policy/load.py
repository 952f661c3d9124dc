"""Loading `govern.toml`: TOML parse errors and schema errors name the file, line and key.

Each top-level section has its own JSON Schema in `schema/<section>.json`; unknown keys are
errors with a "did you mean" hint; defaults come from the schemas, so the effective policy
(and its digest) is the same whether a default was written out or left implicit.
"""
from __future__ import annotations

import copy
import difflib
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from govern.digests import digest_json
from govern.errors import InputError

POLICY_FILE = "govern.toml"
VERSION = 1


def section_schemas() -> dict[str, dict]:
    folder = resources.files("govern.policy") / "schema"
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            out[entry.name[:-5]] = json.loads(entry.read_text(encoding="utf-8"))
    return out


def full_schema() -> dict:
    sections = section_schemas()
    return {"type": "object", "additionalProperties": False, "required": ["version"],
            "properties": {"version": {"type": "integer", "const": VERSION,
                                       "description": "policy format version"},
                           **sections}}


def fill_defaults(schema: dict, value):
    if schema.get("type") == "object" and isinstance(value, dict):
        out = dict(value)
        for key, sub in schema.get("properties", {}).items():
            if key not in out and "default" in sub:
                out[key] = copy.deepcopy(sub["default"])
            if key in out:
                out[key] = fill_defaults(sub, out[key])
        return out
    return value


@dataclass
class Policy:
    data: dict
    path: Path | None

    @property
    def digest(self) -> str:
        """Digest of the effective policy (comments and formatting do not count)."""
        return digest_json(self.data)

    def section(self, name: str) -> dict:
        return self.data.get(name, {})

    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def _line_of(text: str, section_path: list[str], key: str | None) -> int | None:
    lines = text.splitlines()
    header = "[" + ".".join(section_path) + "]" if section_path else None
    start = 0
    if header:
        for i, line in enumerate(lines):
            if line.strip().replace(" ", "") in (header, "[" + header + "]"):
                start = i
                break
    if key is None:
        return start + 1
    pat = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    for i in range(start, len(lines)):
        if pat.match(lines[i]):
            return i + 1
    return start + 1 if header else None


def _error(path: str, text: str, err) -> InputError:
    loc = [str(p) for p in err.absolute_path]
    section_path = [p for p in loc if not p.isdigit()]
    if err.validator == "additionalProperties":
        unknown = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        key = unknown[0]
        where = ".".join(section_path + [key])
        close = difflib.get_close_matches(key, list(err.schema.get("properties", {})), n=1)
        hint = (f"did you mean {close[0]!r}?" if close else
                f"allowed keys here: {', '.join(sorted(err.schema.get('properties', {})))}")
        return InputError(f"unknown key {where!r}", path, _line_of(text, section_path, key),
                          hint=hint)
    key = section_path[-1] if section_path else None
    parent = section_path[:-1]
    return InputError(f"{'.'.join(section_path) or 'policy'}: {err.message}", path,
                      _line_of(text, parent, key),
                      hint=err.schema.get("description"))


def validate(data: dict, path: str = POLICY_FILE, text: str = "") -> dict:
    import jsonschema
    schema = full_schema()
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise _error(path, text, errors[0])
    return fill_defaults(schema, data)


def load_policy(path: Path | str | None = None, required: bool = False) -> Policy:
    """Load and validate a policy; with no file, the defaults apply (unless required)."""
    p = Path(path) if path else Path(POLICY_FILE)
    if not p.exists():
        if path or required:
            raise InputError("policy file not found", str(p),
                             hint="run `govern init` to write one, or pass --policy")
        # one line, so nobody mistakes the defaults for their policy (stderr: stdout is data)
        sys.stderr.write(f"notice: no {POLICY_FILE} here; the default policy applies "
                         "(`govern init` writes one, --policy names another)\n")
        return Policy(validate({"version": VERSION}), None)
    text = p.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise InputError(f"invalid TOML: {e}", str(p), int(m.group(1)) if m else None) from None
    if "version" not in data:
        raise InputError("missing `version = 1` at the top", str(p), 1)
    return Policy(validate(data, str(p), text), p)


def template_text() -> str:
    """The commented policy `govern init` writes: one fragment per section, in file order."""
    folder = resources.files("govern.policy") / "templates"
    parts = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    return "\n".join(e.read_text(encoding="utf-8").rstrip() + "\n" for e in parts)
