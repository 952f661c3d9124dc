"""The demo model (MiniLM): baselines, a fine-tune that improves the golden set, the report's
numbers against the stored per-item results, the leakage split, and the baseline rule."""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = REPO / "evals" / "regression" / "minilm-similarity-probe"
TRAIN = REPO / "examples" / "support_tickets.jsonl"


def _snapshot_with_leaks(govern, leaked: list[str]) -> str:
    """The demo training snapshot, and a leakage-scan result naming golden items."""
    from govern.snapshot import resolve
    from govern.store import open_store
    assert govern("snapshot", "create", TRAIN, "--name", "tickets").exit_code == 0
    store = open_store(govern.store)
    snap = resolve(store, "tickets")
    findings = "".join(json.dumps({"row": i, "golden": g, "method": "exact"}) + "\n"
                       for i, g in enumerate(leaked))
    obj = store.objects.put_bytes(findings.encode())
    store.put_result("leakage", snap.id, "scan", {"findings_object": obj})
    return snap.id


def _accuracy(payload: dict) -> float:
    return sum(i["prediction"] == i["label"] for i in payload["items"]) / len(payload["items"])


def test_adapter_improves_golden_and_report_matches_store(govern, minilm, ticket_adapter,
                                                          bare_golden, tmp_path):
    from govern.store import open_store
    from tests.evaluate.conftest import write_manifest
    snap = _snapshot_with_leaks(govern, ["G003", "G034"])
    adapter = tmp_path / "adapter"
    shutil.copytree(ticket_adapter, adapter)
    write_manifest(adapter, minilm, snap)
    base = govern("eval", "--base-model", minilm, "--suite", bare_golden)
    assert base.exit_code == 0, base.output
    res = govern("eval", "--base-model", minilm, "--adapter", adapter, "--suite", bare_golden,
                 "--suite", PROBE, "--compare-base", "--out", tmp_path / "reports", "--json")
    out = json.loads(res.output[:res.output.rindex("}") + 1])
    report = json.loads(Path(out["files"]["json"]).read_text())
    golden, probe = report["suites"]
    assert golden["verdict"] == "improved" and golden["passed"], golden["reason"]
    assert res.exit_code == (0 if report["passed"] else 1)
    assert golden["base_mode"] == "zero-shot" and golden["adapter_mode"] == "adapter"

    store = open_store(govern.store)
    for s in report["suites"]:
        b, a = store.get_json(s["base_result"]), store.get_json(s["adapter_result"])
        by_id = {i["id"]: i for i in b["items"]}
        assert [i["id"] for i in s["items"]] == [i["id"] for i in a["items"]]
        assert [i["adapter_pass"] for i in s["items"]] == [i["pass"] for i in a["items"]]
        assert [i["base_pass"] for i in s["items"]] == [by_id[i["id"]]["pass"] for i in s["items"]]
        assert s["base"] == pytest.approx(b["metrics"][s["suite"]["metric"]], abs=1e-6)
        assert s["adapter"] == pytest.approx(a["metrics"][s["suite"]["metric"]], abs=1e-6)
        won = sum(not by_id[i["id"]]["pass"] and i["pass"] for i in a["items"])
        lost = sum(by_id[i["id"]]["pass"] and not i["pass"] for i in a["items"])
        assert (s["flips"]["won"], s["flips"]["lost"]) == (won, lost)
    b, a = store.get_json(golden["base_result"]), store.get_json(golden["adapter_result"])
    assert golden["delta"] == pytest.approx(_accuracy(a) - _accuracy(b))

    # leakage split: the two leaked golden items are reported apart; the verdict uses the clean
    assert golden["judged_on"] == "clean" and golden["leakage_result"]
    assert golden["subsets"]["leaked"]["count"] == 2 and golden["subsets"]["clean"]["count"] == 58
    assert sorted(i["id"] for i in golden["items"] if i["leaked"]) == ["G003", "G034"]
    assert a["subsets"]["clean"]["count"] == 58 and a["leakage"]["leaked"] == ["G003", "G034"]

    html = Path(out["files"]["html"]).read_text()
    assert html.count("<svg") == 4 and "<script" not in html and 'src="http' not in html
    md = Path(out["files"]["md"]).read_text()
    assert "support-tickets-golden-bare" in md and "minilm-similarity-probe" in md
    cases = ET.parse(out["files"]["xml"]).getroot().iter("testcase")
    assert len(list(cases)) == 2


def test_baseline_rule_blocks_and_allows(govern, minilm, bare_golden, tmp_path):
    from govern.errors import PolicyViolation
    from govern.evaluate.baseline import require_baseline
    from govern.policy.load import load_policy
    from govern.store import open_store
    store = open_store(govern.store)

    def policy(**eval_keys):
        lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in eval_keys.items())
        path = tmp_path / "govern.toml"
        path.write_text('version = 1\n[eval]\ngolden_suites = ["support-tickets-golden-bare"]\n'
                        f'suites_dir = "{tmp_path / "evals"}"\n' + lines)
        return load_policy(path)

    with pytest.raises(PolicyViolation, match="no baseline") as e:
        require_baseline(store, "snap", policy(require_baseline=True))
    assert "govern eval --base-model" in e.value.hint
    assert require_baseline(store, "snap", policy()) is None

    res = govern("eval", "--base-model", minilm, "--suite", "support-tickets-golden-bare",
                 "--policy", tmp_path / "govern.toml", "--json")
    assert res.exit_code == 0, res.output
    recorded = json.loads(res.output)[0]
    assert recorded["best"] and recorded["value"] < 0.95
    # falls short of the suite's target 0.95: training is justified and names the baseline
    assert require_baseline(store, "snap", policy(require_baseline=True)) == recorded["digest"]
    with pytest.raises(PolicyViolation, match="fine-tuning not justified"):
        require_baseline(store, "snap", policy(require_baseline=True, target=0.5))
    assert require_baseline(store, "snap", policy(require_baseline=False, target=0.5)) is None


def test_planted_forgetting_on_the_similarity_probe(govern, minilm, probe_breaking_adapter,
                                                    tmp_path):
    res = govern("eval", "--base-model", minilm, "--adapter", probe_breaking_adapter,
                 "--suite", PROBE, "--compare-base", "--out", tmp_path / "reports", "--json")
    assert res.exit_code == 1, res.output
    out = json.loads(res.output[:res.output.rindex("}") + 1])
    (probe,) = out["suites"]
    assert probe["verdict"] == "regressed" and probe["delta"] < -0.05 and probe["p_value"] < 0.05
