"""`govern compare`: base vs adapter per suite on the same items, with a delta, its interval,
a paired test, and a verdict under the `[eval]` policy. Golden suites with leakage findings are
judged on their clean items, and the leaked items are reported beside them.
"""
from __future__ import annotations

import govern
from govern.errors import UsageError
from govern.evaluate import statistics as st
from govern.evaluate.contamination import split_items
from govern.evaluate.metrics import METRICS
from govern.store import Store
from govern.store.store import now


def resolve_results(store: Store, ref: str) -> list[tuple[str, dict]]:
    """REF is a stored eval result digest (or unambiguous prefix), or a subject
    `MODEL_DIGEST:ADAPTER_DIGEST|none` whose recorded per-suite results are all taken."""
    rows = store.list_results("eval")
    by_digest = {r["digest"]: r for r in rows if r["digest"].startswith(ref)}
    if len(by_digest) == 1:
        d, row = by_digest.popitem()
        return [(d, _evidence(store, row))]
    if len(by_digest) > 1:
        raise UsageError(f"result prefix {ref!r} is ambiguous", hint="give more characters")
    subject = [r for r in rows if r["subject"] == ref and ":" not in r["config"]]
    if not subject:
        raise UsageError(f"no eval result or model subject {ref!r} in the store",
                         hint="`govern eval` prints the digests of the results it records")
    return [(r["digest"], _evidence(store, r)) for r in subject]


def _evidence(store: Store, row: dict) -> dict:
    payload = store.read_result(row)  # names this row, else exit 3
    if payload is None:
        raise UsageError(f"eval result {row['digest'][:12]} was recorded by an older govern and "
                         "names no subject", hint="re-run `govern eval`")
    return payload


def _stats(metric: str, base: list[dict], adapter: list[dict], t: st.Thresholds,
           resamples: int) -> dict:
    fn, paired, higher = METRICS[metric]
    if not base:
        return {"count": 0, "base": None, "adapter": None, "delta": None, "ci": None,
                "p_value": None, "test": None, "flips": None}
    boot = st.paired_bootstrap(fn, base, adapter, 1 - t.alpha, resamples)
    out = {"count": len(base), "base": fn(base), "adapter": fn(adapter), "delta": boot["delta"],
           "ci": boot["ci"], "p_value": boot["p_value"], "test": boot["test"], "flips": None}
    if paired:
        m = st.mcnemar_exact([i["pass"] for i in base], [i["pass"] for i in adapter])
        both = sum(bool(b["pass"]) and bool(a["pass"]) for b, a in zip(base, adapter))
        out.update(p_value=m["p_value"], test=m["test"],
                   flips={"won": m["won"], "lost": m["lost"], "both_pass": both,
                          "both_fail": len(base) - both - m["won"] - m["lost"]})
    return out


def compare_suite(base_digest: str, base: dict, adapter_digest: str, adapter: dict,
                  section: dict) -> dict:
    suite = adapter["suite"]
    if base["suite"]["digest"] != suite["digest"]:
        raise UsageError(f"results are on different suites ({base['suite']['name']} "
                         f"{base['suite']['digest'][:12]} vs {suite['name']} {suite['digest'][:12]})")
    thresholds = {**{"min_gain": section.get("min_golden_gain", 0.05),
                     "max_regression": section.get("max_regression", 0.02)},
                  **{k: v for k, v in (suite.get("thresholds") or {}).items()
                     if k in ("min_gain", "max_regression")}}
    t = st.Thresholds(section.get("alpha", 0.05), thresholds["min_gain"], thresholds["max_regression"])
    resamples = int(section.get("bootstrap_resamples", 1000))
    by_id = {i["id"]: i for i in base["items"]}
    if set(by_id) != {i["id"] for i in adapter["items"]}:
        raise UsageError(f"suite {suite['name']}: the two results hold different items")
    a_items = adapter["items"]
    b_items = [by_id[i["id"]] for i in a_items]
    metric = suite["metric"]
    overall = _stats(metric, b_items, a_items, t, resamples)
    leak = adapter.get("leakage") or base.get("leakage")
    subsets, judged = None, overall
    if leak and suite["role"] == "golden":
        (bc, bl), (ac, al) = split_items(b_items, leak["leaked"]), split_items(a_items, leak["leaked"])
        subsets = {"clean": _stats(metric, bc, ac, t, resamples),
                   "leaked": _stats(metric, bl, al, t, resamples)}
        judged = subsets["clean"] if bc else overall
    verdict, passed, reason = st.verdict(suite["role"], judged["delta"], judged["p_value"], t,
                                         METRICS[metric][2])
    return {"suite": suite, "base_result": base_digest, "adapter_result": adapter_digest,
            "base_mode": base["mode"], "adapter_mode": adapter["mode"],
            "higher_is_better": METRICS[metric][2], "alpha": t.alpha,
            "thresholds": thresholds, **overall, "judged_on": "clean" if judged is not overall else "all",
            "verdict": verdict, "passed": passed, "reason": reason, "subsets": subsets,
            "leakage_result": leak["result"] if leak else None,
            "items": [{"id": a["id"], "base_pass": b["pass"], "adapter_pass": a["pass"],
                       "base_score": b["score"], "adapter_score": a["score"],
                       "leaked": bool(leak) and str(a["id"]) in set(leak["leaked"])}
                      for b, a in zip(b_items, a_items)]}


def compare_results(base: list[tuple[str, dict]], adapter: list[tuple[str, dict]],
                    policy) -> dict:
    """The regression report's data: one entry per suite present in both sides."""
    section = policy.section("eval")
    base_by_suite = {p["suite"]["digest"]: (d, p) for d, p in base}
    pairs = [(base_by_suite.get(p["suite"]["digest"]), (d, p)) for d, p in adapter]
    if len(base) == 1 and len(adapter) == 1:
        pairs = [(base[0], adapter[0])]
    missing = [a[1]["suite"]["name"] for b, a in pairs if b is None]
    if missing:
        raise UsageError(f"no base result for suite(s) {', '.join(missing)}",
                         hint="run `govern eval --base-model MODEL --suite ...` without --adapter")
    suites = [compare_suite(b[0], b[1], a[0], a[1], section) for b, a in pairs]
    first_b, first_a = pairs[0][0][1], pairs[0][1][1]
    return {"format": 1, "report": "regression", "tool": f"govern {govern.__version__}",
            "created": now(), "policy_digest": policy.digest,
            "base": {"model": first_b["model"], "adapter": first_b["adapter"]},
            "candidate": {"model": first_a["model"], "adapter": first_a["adapter"]},
            "passed": all(s["passed"] for s in suites), "suites": suites}


def compare_and_report(store: Store, base: list[tuple[str, dict]], adapter: list[tuple[str, dict]],
                       policy, out_dir) -> tuple[dict, dict, str]:
    """Compare, write the report files, record the report in the store.
    Returns (report, paths by format, report digest)."""
    from govern.evaluate.report import write_report
    report = compare_results(base, adapter, policy)
    paths = write_report(report, out_dir)
    subject = report["suites"][0]["adapter_result"]
    config = "+".join(sorted(s["base_result"] for s in report["suites"]))
    digest = store.put_result("regression", subject, config, report, command="compare")
    return report, paths, digest
