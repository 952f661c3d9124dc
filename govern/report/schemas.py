"""Packaged JSON Schemas, and checking a report against its schema before anything is written."""
from __future__ import annotations

import json
from importlib import resources

from govern.errors import IntegrityError


def packaged(package: str, filename: str) -> dict:
    """A JSON Schema shipped in `package`'s schema/ folder."""
    return json.loads((resources.files(package) / "schema" / filename).read_text(encoding="utf-8"))


def check(document: dict, schema: dict, what: str) -> None:
    """Raise IntegrityError naming the first place where `document` breaks `schema`."""
    import jsonschema
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if errors:
        e = errors[0]
        where = "/".join(map(str, e.absolute_path)) or "report"
        raise IntegrityError(f"{what} does not match its schema at {where}: {e.message}")
