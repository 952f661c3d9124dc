"""The prompt-first rule: fine-tune only when the best no-fine-tune baseline recorded on the
golden suite (zero-shot, few-shot, retrieval) falls short of the target."""
from __future__ import annotations

from pathlib import Path

from govern.errors import PolicyViolation, UsageError
from govern.evaluate.suite import Suite, find_suite
from govern.store import Store


def suites_dir(policy) -> Path:
    return policy.base_dir() / policy.section("eval").get("suites_dir", "evals")


def golden_target(suite: Suite, policy) -> float:
    section = policy.section("eval")
    target = section.get("target", (suite.meta.get("thresholds") or {}).get("target"))
    if target is None:
        raise UsageError(f"no target for golden suite {suite.name}",
                         hint="set [eval] target in govern.toml or [thresholds] target in the suite")
    return float(target)


def recorded_baselines(store: Store, suite_digest: str, base_model_digest: str | None = None) -> list[dict]:
    """No-adapter best-of-modes results on the suite, oldest first."""
    rows = [r for r in store.list_results("eval") if r["config"] == suite_digest
            and r["subject"].endswith(":none")]
    if base_model_digest:
        rows = [r for r in rows if r["subject"].split(":")[0] == base_model_digest]
    # evidence names its row (exit 3 otherwise); older unbound results do not count
    return [r for r in rows if store.read_result(r) is not None]


def require_baseline(store: Store, snapshot, policy, base_model_digest: str | None = None) -> str | None:
    """The digest of the recorded baseline that falls short of the target, for train's manifest.

    With `[eval] require_baseline = true`: no baseline -> PolicyViolation naming the command to
    run; a baseline that already reaches the target -> PolicyViolation (not justified).
    Without it: the digest when such a baseline exists, else None; never raises.
    """
    section = policy.section("eval")
    required = bool(section.get("require_baseline", False))
    names = section.get("golden_suites") or []
    if not names:
        if required:
            raise UsageError("[eval] require_baseline is on but [eval] golden_suites is empty")
        return None
    found = None
    for name in names:
        suite = find_suite(name, suites_dir(policy))
        rows = recorded_baselines(store, suite.digest, base_model_digest)
        snap_id = getattr(snapshot, "id", snapshot)
        # prefer the baseline whose retrieval used this very training snapshot
        rows.sort(key=lambda r: store.get_json(r["digest"]).get("train_snapshot") == snap_id)
        if not rows:
            if required:
                raise PolicyViolation(
                    f"no baseline recorded on golden suite {suite.name}; fine-tuning needs one first",
                    hint=f"run `govern eval --base-model MODEL --suite {suite.name} "
                         f"--train-snapshot {snap_id[:12] if snap_id else 'REF'}`")
            continue
        digest = rows[-1]["digest"]
        payload = store.read_result(rows[-1])
        score, target = payload["metrics"][suite.metric], golden_target(suite, policy)
        if score is not None and score >= target:
            if required:
                raise PolicyViolation(
                    f"prompting/retrieval already reach the target; fine-tuning not justified "
                    f"({suite.name}: {payload['mode']} {suite.metric} {score:.4f} >= {target})",
                    hint=f"baseline result {digest[:12]}")
            continue
        found = found or digest
    return found
