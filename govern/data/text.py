"""Where the text is in a record: field paths, chat roles and the record's layout.

Chat data (`messages: [{role, content}]`) is addressed as `messages[2].content` with its role;
other string fields by their key (nested objects as `a.b`). Scanners take texts from here so
every finding can name its field and role.

For a PII scan (`everything=True`) the texts also include every object key (field `a.#key2`:
the third key of `a`) and integers long enough to be an identifier written as a
number (cards, phones, SSNs: 9+ digits). A key that does not read like a field name (an email,
digits) is addressed by position (`#2`) so a path never repeats it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

ID_FIELDS = {"id", "_id", "uuid", "uid"}
ID_NUMBER = 10 ** 8  # integers from 9 digits up can be cards, phones or SSNs
NAME_LIKE = re.compile(r"^[A-Za-z_](?:[A-Za-z_ -]|(?<!\d)\d{1,2}(?!\d)){0,63}$")
KEY_SUFFIX = re.compile(r"#key(\d+)$")


@dataclass(frozen=True)
class Text:
    field: str
    role: str | None
    text: str
    kind: str = "value"  # value | key | number


def texts(record: dict, fields: list[str] | None = None, skip_ids: bool = False,
          everything: bool = False) -> Iterator[Text]:
    """Every string in the record with its field path (or only the chosen fields/prefixes);
    with `everything`, keys and identifier-like integers too."""
    for t in _walk(record, "", None, everything):
        if skip_ids and t.field in ID_FIELDS:
            continue
        if fields and not any(_selects(f, t.field) for f in fields):
            continue
        yield t


def _selects(selector: str, path: str) -> bool:
    """`messages` selects `messages[3].content`; `prompt` selects `prompt`."""
    return path == selector or path.startswith(selector + "[") or path.startswith(selector + ".")


def segment(key: str, index: int) -> str:
    """A key as a path segment: itself when it reads like a field name, else its position."""
    return key if NAME_LIKE.match(key) and "#" not in key else f"#{index}"


def _walk(value, path: str, role: str | None = None, everything: bool = False) -> Iterator[Text]:
    if isinstance(value, str):
        if value:
            yield Text(path, role, value)
    elif isinstance(value, dict):
        r = value.get("role") if isinstance(value.get("role"), str) else role
        for i, (k, v) in enumerate(value.items()):
            if everything:
                yield Text(f"{path}.#key{i}" if path else f"#key{i}", r, k, "key")
            if k == "role" and r is not None and path:
                continue  # a chat role is metadata, not text to scan
            seg = segment(k, i) if everything else k
            yield from _walk(v, f"{path}.{seg}" if path else seg, r, everything)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]", role, everything)
    elif everything and isinstance(value, int) and not isinstance(value, bool) \
            and abs(value) >= ID_NUMBER:
        yield Text(path, role, str(value), "number")


def _step(cur, part: str):
    if part.startswith("["):
        return cur[int(part[1:-1])]
    if part.startswith("#") and part[1:].isdigit():  # a key addressed by position
        return cur[list(cur)[int(part[1:])]]
    return cur[part]


def get_path(record: dict, path: str):
    """Resolve `messages[2].content` in a record (`a.#key2`: the third key of `a`)."""
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    cur = record
    for part in parts[:-1]:
        cur = _step(cur, part)
    m = KEY_SUFFIX.fullmatch(parts[-1])
    return list(cur)[int(m.group(1))] if m else _step(cur, parts[-1])


def set_path(record: dict, path: str, value) -> None:
    """Set the value at path; for a key path (`a.#key2`), rename that key in place."""
    parts = [p for p in path.replace("[", ".[").split(".") if p]
    cur = record
    for part in parts[:-1]:
        cur = _step(cur, part)
    last = parts[-1]
    m = KEY_SUFFIX.fullmatch(last)
    if m:
        items = list(cur.items())
        old = items[int(m.group(1))][0]
        new, n = value, 2
        while new in cur and new != old:  # two keys redacted alike stay two keys
            new, n = f"{value}_{n}", n + 1
        cur.clear()
        cur.update((new if k == old else k, v) for k, v in items)
    elif last.startswith("["):
        cur[int(last[1:-1])] = value
    elif last.startswith("#") and last[1:].isdigit():
        cur[list(cur)[int(last[1:])]] = value
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
