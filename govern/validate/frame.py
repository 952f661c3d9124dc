"""Records as a pandas table for Great Expectations, with derived columns GX can check.

Top-level fields become columns (lists and objects as canonical JSON text). Derived columns,
all prefixed with `_` so they never shadow a data field:

- every layout: `_chars` (characters of the record's main text), `_tokens` (whitespace tokens
  of the same), `_duplicate` (1 when the same text content appeared in an earlier record);
- chat: `_turns`, `_roles` (the role sequence, comma separated), `_alternates` (user and
  assistant alternate after an optional leading system turn, tool turns aside), `_last_role`,
  `_empty_contents` (turns whose content is empty or blank);
- prompt-completion: `_prompt_chars`, `_completion_chars`, `_prompt_tokens`,
  `_completion_tokens`;
- classification: `_label_share` (share of all records that carry this record's label).
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from govern.data.text import texts
from govern.digests import canonical_json, sha256_text

DERIVED_VERSION = 1  # bump when a derived column changes meaning (part of every suite digest)


def _cell(value):
    if isinstance(value, (dict, list)):
        return canonical_json(value)
    return value


def _main_text(record: dict, layout: str) -> str:
    if layout == "chat":
        msgs = record.get("messages") if isinstance(record.get("messages"), list) else []
        return "\n".join(m.get("content") or "" for m in msgs
                         if isinstance(m, dict) and isinstance(m.get("content"), str))
    if layout == "prompt-completion":
        return f"{_str(record.get('prompt'))}\n{_str(record.get('completion'))}"
    if layout in ("classification", "text"):
        return _str(record.get("text"))
    return "\n".join(t.text for t in texts(record, skip_ids=True))


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def _chat_columns(record: dict) -> dict:
    msgs = record.get("messages")
    msgs = msgs if isinstance(msgs, list) else []
    roles = [m.get("role") if isinstance(m, dict) and isinstance(m.get("role"), str) else ""
             for m in msgs]
    contents = [m.get("content") if isinstance(m, dict) else None for m in msgs]
    dialogue = [r for i, r in enumerate(roles) if r != "tool" and not (i == 0 and r == "system")]
    alternates = bool(dialogue) and all(
        r == ("user" if i % 2 == 0 else "assistant") for i, r in enumerate(dialogue))
    return {"_turns": len(msgs), "_roles": ",".join(roles),
            "_alternates": alternates, "_last_role": roles[-1] if roles else "",
            "_empty_contents": sum(1 for c in contents if not isinstance(c, str) or not c.strip())}


def _prompt_completion_columns(record: dict) -> dict:
    prompt, completion = _str(record.get("prompt")), _str(record.get("completion"))
    return {"_prompt_chars": len(prompt), "_completion_chars": len(completion),
            "_prompt_tokens": len(prompt.split()), "_completion_tokens": len(completion.split())}


def record_rows(records: Iterable[dict], layout: str) -> list[dict]:
    """One flat row per record: its top-level fields plus the derived columns."""
    rows, seen = [], set()
    for record in records:
        text = _main_text(record, layout)
        content = sha256_text(canonical_json([t.text for t in texts(record, skip_ids=True)]))
        row = {k: _cell(v) for k, v in record.items()}
        row.update({"_chars": len(text), "_tokens": len(text.split()),
                    "_duplicate": int(content in seen)})
        seen.add(content)
        if layout == "chat":
            row.update(_chat_columns(record))
        elif layout == "prompt-completion":
            row.update(_prompt_completion_columns(record))
        rows.append(row)
    if layout == "classification":
        labels = Counter(canonical_json(r.get("label")) for r in rows)
        for r in rows:
            r["_label_share"] = labels[canonical_json(r.get("label"))] / len(rows)
    return rows


def record_frame(records: Iterable[dict], layout: str):
    """The pandas DataFrame GX validates (object columns stay Python values)."""
    import pandas as pd
    return pd.DataFrame.from_records(record_rows(records, layout))
