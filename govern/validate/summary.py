"""Summaries of failed GX expectations that are safe to store and print.

GX reports unexpected values (`partial_unexpected_list`, `partial_unexpected_counts`,
string `observed_value`s). Those may be PII, so only counts, percentages, 0-based row
indices and masked examples (govern.findings.mask) are kept; numbers pass through.
"""
from __future__ import annotations

from govern.findings import mask

MAX_EXAMPLES = 3
MAX_ROWS = 20
# expectation arguments that come from the suite (never from the data) and help a reader
KEPT_KWARGS = ("column", "column_list", "min_value", "max_value", "mostly", "value_set",
               "regex", "strict_min", "strict_max")


def safe_value(value, keep_numbers: bool = True):
    """Text (and anything holding text) masked; numbers kept only when they are statistics
    or derived columns (a number in a data field can be a phone or account number)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value if keep_numbers else mask(str(value))
    if isinstance(value, (list, tuple)):
        return [safe_value(v, keep_numbers) for v in value[:MAX_EXAMPLES]]
    if isinstance(value, dict):
        return {str(k): safe_value(v, keep_numbers) for k, v in list(value.items())[:MAX_EXAMPLES]}
    return mask(str(value))


def _error(exception_info: dict) -> str | None:
    """The first exception message GX recorded (they name columns and metrics, not values)."""
    if not exception_info:
        return None
    if "raised_exception" in exception_info:
        infos = [exception_info]
    else:
        infos = [v for v in exception_info.values() if isinstance(v, dict)]
    for info in infos:
        if info.get("raised_exception"):
            return (info.get("exception_message") or "exception").splitlines()[0][:200]
    return None


def summarise_result(result: dict) -> dict:
    """One failed expectation without raw values: what was expected, how often it broke."""
    config = result.get("expectation_config") or {}
    kwargs = config.get("kwargs") or {}
    res = result.get("result") or {}
    out = {"expectation": config.get("type"), "column": kwargs.get("column"),
           "kwargs": {k: kwargs[k] for k in KEPT_KWARGS if k in kwargs},
           "notes": ((config.get("meta") or {}).get("notes"))}
    for key in ("element_count", "unexpected_count", "missing_count"):
        if key in res:
            out[key] = res[key]
    if "unexpected_percent" in res:
        out["unexpected_percent"] = round(float(res["unexpected_percent"] or 0.0), 4)
    if "observed_value" in res:
        out["observed_value"] = safe_value(res["observed_value"])
    if res.get("partial_unexpected_index_list"):
        out["rows"] = [int(i) for i in res["partial_unexpected_index_list"][:MAX_ROWS]
                       if isinstance(i, int)]
    examples = res.get("partial_unexpected_list") or []
    if examples:
        derived = str(kwargs.get("column", "")).startswith("_")
        out["examples"] = [safe_value(v, derived) for v in examples[:MAX_EXAMPLES]]
    error = _error(result.get("exception_info") or {})
    if error:
        out["error"] = error
    return {k: v for k, v in out.items() if v is not None}
