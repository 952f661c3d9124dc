"""Where the text is in a record: field paths, chat roles and the record's layout.

Chat data (`messages: [{role, content}]`) is addressed as `messages[2].content` with its role;
other string fields by their key (nested objects as `a.b`). Scanners take texts from here so
every finding can name its field and role.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

ID_FIELDS = {"id", "_id", "uuid", "uid"}


@dataclass(frozen=True)
class Text:
    field: str
    role: str | None
    text: str


def texts(record: dict, fields: list[str] | None = None, skip_ids: bool = False) -> Iterator[Text]:
    """Every string in the record with its field path (or only the chosen fields/prefixes)."""
    for t in _walk(record, ""):
        if skip_ids and t.field in ID_FIELDS:
            continue
        if fields and not any(_selects(f, t.field) for f in fields):
            continue
        yield t


def _selects(selector: str, path: str) -> bool:
    """`messages` selects `messages[3].content`; `prompt` selects `prompt`."""
    return path == selector or path.startswith(selector + "[") or path.startswith(selector + ".")


def _walk(value, path: str, role: str | None = None) -> Iterator[Text]:
    if isinstance(value, str):
        if value:
            yield Text(path, role, value)
    elif isinstance(value, dict):
        r = value.get("role") if isinstance(value.get("role"), str) else role
        for k, v in value.items():
            if k == "role" and r is not None and path:
                continue  # a chat role is metadata, not text to scan
            yield from _walk(v, f"{path}.{k}" if path else k, r)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]", role)


def get_path(record: dict, path: str):
    """Resolve `messages[2].content` in a record."""
    cur = record
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            cur = cur[int(part[1:-1])]
        else:
            cur = cur[part]
    return cur


def set_path(record: dict, path: str, value) -> None:
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    cur = record
    for part in parts[:-1]:
        cur = cur[int(part[1:-1])] if part.startswith("[") else cur[part]
    last = parts[-1]
    if last.startswith("["):
        cur[int(last[1:-1])] = value
    else:
        cur[last] = value


def layout(schema_keys: set[str]) -> str:
    """chat | prompt-completion | classification | text | other, from the top-level keys."""
    if "messages" in schema_keys:
        return "chat"
    if {"prompt", "completion"} <= schema_keys:
        return "prompt-completion"
    if "text" in schema_keys and "label" in schema_keys:
        return "classification"
    if "text" in schema_keys:
        return "text"
    return "other"
