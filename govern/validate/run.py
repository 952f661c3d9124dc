"""Running Great Expectations suites on a snapshot or files and storing what they found.

GX runs in an ephemeral context on a pandas table (see frame.py). The stored result keeps
per-suite success, statistics and a summary of each failed expectation: counts, percentages,
0-based rows and masked examples. Raw unexpected values never leave this module, because a
value that breaks an expectation is often exactly the PII nobody wanted.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from govern.data.text import layout as layout_of
from govern.errors import InputError, UsageError
from govern.snapshot.target import Target, target_digest
from govern.validate.frame import record_frame
from govern.digests import digest_json
from govern.validate.suites import (default_suites, labels_suite, policy_labels, policy_suites,
                                    read_suite, suite_digest, suites_config)
from govern.validate.summary import summarise_result

FORMAT = 1


@dataclass
class ValidationRun:
    subject: str
    config: str
    payload: dict
    digest: str | None = None  # stored result digest (None for ad hoc files)
    suites: list[Path] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.payload["success"]


def gx_context():
    """A fresh ephemeral GX context with progress bars and usage statistics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _validate_suite(context, frame, path: Path | None, index: int, data: dict | None = None,
                    file: str = "") -> dict:
    """Run one suite: a file, or `data` built in memory (named by `file`)."""
    import great_expectations as gx
    data = data or read_suite(path)
    file = file or Path(path).name
    suite = gx.ExpectationSuite(name=data["name"], expectations=_expectations(path or file, data),
                                meta=data.get("meta") or {})
    source = context.data_sources.add_pandas(f"govern-{index}-{uuid.uuid4().hex[:12]}")
    batch_def = source.add_dataframe_asset("records").add_batch_definition_whole_dataframe("all")
    batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "SUMMARY",
                                                  "partial_unexpected_count": 20})
    failed = [summarise_result(r.to_json_dict()) for r in result.results if not r.success]
    return {"name": data["name"], "file": file,
            "digest": suite_digest(path) if path else digest_json(data),
            "success": bool(result.success), "statistics": dict(result.statistics),
            "failed": sorted(failed, key=lambda f: (f["expectation"], f.get("column") or ""))}


def _expectations(path: Path, data: dict) -> list:
    """Build every expectation or stop naming the bad one (GX alone would skip it silently)."""
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration)
    if not data["expectations"]:
        raise InputError("the suite has no expectations", str(path))
    out = []
    for i, item in enumerate(data["expectations"]):
        try:
            config = ExpectationConfiguration(type=item["type"], kwargs=item.get("kwargs") or {},
                                              meta=item.get("meta") or {})
            out.append(config.to_domain_obj())
        except Exception as e:  # GX raises several unrelated types for a bad entry
            first = (str(e).splitlines() or [type(e).__name__])[0][:200]
            raise InputError(f"expectation {i} ({item.get('type') if isinstance(item, dict) else item!r}) "
                             f"is not valid: {first}", str(path)) from None
    return out


def _layout(target: Target, records: list[dict]) -> str:
    if target.snapshot:
        return target.snapshot.layout
    keys: set[str] = set()
    for r in records:
        keys.update(r)
    return layout_of(keys)


def validate_target(store, target: Target, suites: list[Path] | None, policy,
                    context=None) -> ValidationRun:
    """Run suites (default: [validate] suites, else the layout's shipped suite) on a target.

    A snapshot's result is stored as kind "validation" under (snapshot id, suite digest).
    """
    import great_expectations as gx
    records = [ref.record for ref in target.iter_records()]
    layout = _layout(target, records)
    paths = [Path(s) for s in suites] if suites else policy_suites(policy, layout)
    if not paths:
        raise UsageError(f"no Great Expectations suite for layout {layout!r}",
                         hint="pass --suite PATH or set [validate] suites in govern.toml")
    labels = policy_labels(policy, layout)
    config = suites_config(paths, labels)
    frame = record_frame(records, layout)
    context = context or gx_context()
    results = [_validate_suite(context, frame, p, i) for i, p in enumerate(paths)]
    if labels:
        results.append(_validate_suite(context, frame, None, len(paths), labels_suite(labels),
                                       "[validate] labels"))
    payload = {"format": FORMAT, "kind": "validation", "subject": target_digest(target),
               "target": target.label, "layout": layout, "records": len(records),
               "config": config, "success": all(s["success"] for s in results),
               "suites": results, "versions": {"great_expectations": gx.__version__}}
    run = ValidationRun(payload["subject"], config, payload, suites=paths)
    if target.snapshot and store is not None:
        run.digest = store.put_result("validation", target.snapshot.id, config, payload,
                                      command="validate")
    return run


__all__ = ["ValidationRun", "validate_target", "suite_digest", "default_suites"]
