"""A Great Expectations suite profiled from a reference snapshot (`govern validate --suite-from`).

The suite states what the reference data looks like, with a tolerance, in plain GX JSON that
users edit and commit: the label set and each label's share, text length quantiles, null and
duplicate rates, and for chat the roles, their order and the last turn. Checks run on the same
table as every suite (frame.py), derived `_` columns included.
"""
from __future__ import annotations

import json
import math
from collections import Counter

from govern.data.text import layout as layout_of
from govern.digests import canonical_json
from govern.errors import InputError
from govern.validate.frame import record_rows

QUANTILES = [0.05, 0.5, 0.95]
SHARE_TOLERANCE = 0.1      # absolute, on each label's share of records
LENGTH_TOLERANCE = 0.5     # relative, on each length quantile (0.5: from half to 1.5x)
RATE_TOLERANCE = 0.05      # absolute, on null and duplicate rates


def _exp(type_: str, notes: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"notes": notes}}


def _quantile(values: list[float], q: float) -> float:
    """Linear interpolation, as pandas (and so GX's pandas backend) computes it."""
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def length_checks(rows: list[dict], column: str, what: str) -> list[dict]:
    values = [r[column] for r in rows]
    ranges = [[math.floor(_quantile(values, q) * (1 - LENGTH_TOLERANCE)),
               math.ceil(_quantile(values, q) * (1 + LENGTH_TOLERANCE))] for q in QUANTILES]
    return [
        _exp("expect_column_values_to_be_between", f"{what}: never empty, at most twice the "
             "reference's longest", column=column, min_value=1, max_value=2 * max(values)),
        _exp("expect_column_quantile_values_to_be_between",
             f"{what}: 5th, 50th and 95th percentiles within {LENGTH_TOLERANCE:.0%} of the "
             "reference's", column=column,
             quantile_ranges={"quantiles": QUANTILES, "value_ranges": ranges}),
    ]


def null_checks(records: list[dict], fields: list[str]) -> list[dict]:
    out = []
    for f in fields:
        rate = sum(r.get(f) is None for r in records) / len(records)
        kwargs = {"column": f}
        if rate:
            kwargs["mostly"] = round(max(0.0, 1 - rate - RATE_TOLERANCE), 4)
        out.append(_exp("expect_column_values_to_not_be_null",
                        f"reference null rate {rate:.3f}", **kwargs))
    return out


def _condition(field: str, value) -> dict:
    """A GX row condition selecting one label (GX's Condition JSON: `Column(field) == value`)."""
    return {"type": "comparison", "column": {"name": field}, "operator": "==", "parameter": value}


def label_checks(records: list[dict], field: str) -> list[dict]:
    counts = Counter(canonical_json(r.get(field)) for r in records if r.get(field) is not None)
    labels = sorted((json.loads(k) for k in counts), key=canonical_json)
    out = [_exp("expect_column_values_to_be_in_set", "the reference's label set",
                column=field, value_set=labels)]
    for label in labels:
        share = counts[canonical_json(label)] / len(records)
        out.append(_exp("expect_column_values_to_be_between",
                        f"share of label {label!r}: reference {share:.3f} +/- {SHARE_TOLERANCE}",
                        column="_label_share", min_value=round(max(0.0, share - SHARE_TOLERANCE), 4),
                        max_value=round(min(1.0, share + SHARE_TOLERANCE), 4),
                        row_condition=_condition(field, label)))
    return out


def chat_checks(rows: list[dict]) -> list[dict]:
    roles = sorted({r for row in rows for r in row["_roles"].split(",") if r})
    last = sorted({row["_last_role"] for row in rows})
    alternating = sum(bool(row["_alternates"]) for row in rows) / len(rows)
    turns = [row["_turns"] for row in rows]
    alt = {"column": "_alternates", "value_set": [True]}
    if alternating < 1:
        alt["mostly"] = round(max(0.0, alternating - RATE_TOLERANCE), 4)
    return [
        _exp("expect_column_values_to_match_regex", f"roles seen in the reference: {roles}",
             column="_roles", regex="^(?:{0})(?:,(?:{0}))*$".format("|".join(roles))),
        _exp("expect_column_values_to_be_in_set", "user and assistant alternate (role order), "
             f"reference rate {alternating:.3f}", **alt),
        _exp("expect_column_values_to_be_in_set", "the last turn's role, as in the reference",
             column="_last_role", value_set=last),
        _exp("expect_column_values_to_be_between", "turns per conversation",
             column="_turns", min_value=min(turns), max_value=2 * max(turns)),
        _exp("expect_column_values_to_be_between", "no empty or blank contents"
             if not any(r["_empty_contents"] for r in rows) else "empty contents per record",
             column="_empty_contents", min_value=0,
             max_value=max(r["_empty_contents"] for r in rows)),
    ]


def suite_from_records(records: list[dict], name: str, source: str, label_field: str = "label") -> dict:
    """A GX suite (as JSON data) that the given records pass, with tolerances."""
    if not records:
        raise InputError("the reference holds no records", source)
    keys = set().union(*records)
    layout = layout_of(keys)
    rows = record_rows(records, layout)
    dup = sum(r["_duplicate"] for r in rows) / len(rows)
    exps = [_exp("expect_table_row_count_to_be_between", "the data has records", min_value=1)]
    if layout == "chat":
        exps += null_checks(records, ["messages"]) + chat_checks(rows)
        exps += length_checks(rows, "_chars", "characters per conversation")
    elif layout == "prompt-completion":
        exps += null_checks(records, ["prompt", "completion"])
        exps += length_checks(rows, "_prompt_chars", "prompt characters")
        exps += length_checks(rows, "_completion_chars", "completion characters")
    else:
        fields = sorted(k for k in keys if isinstance(k, str))
        exps += null_checks(records, fields)
        exps += length_checks(rows, "_chars", "text characters")
        if layout == "classification":
            exps += label_checks(records, label_field)
    exps.append(_exp("expect_column_mean_to_be_between",
                     f"duplicate rate: reference {dup:.3f} + {RATE_TOLERANCE}",
                     column="_duplicate", min_value=0, max_value=round(dup + RATE_TOLERANCE, 4)))
    return {"name": name, "expectations": exps,
            "meta": {"govern": f"profiled from {source} ({len(records)} records, layout "
                               f"{layout}) by `govern validate --suite-from`; edit and commit it, "
                               "then name it in [validate] suites"}}


def write_suite(target, path) -> dict:
    """Profile a target (snapshot or files) and write the suite to `path` (named by its stem)."""
    from pathlib import Path
    path = Path(path)
    records = [ref.record for ref in target.iter_records()]
    suite = suite_from_records(records, path.stem, target.label)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(suite, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return suite
