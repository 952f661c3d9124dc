"""`govern validate` end to end: stored results keyed by (snapshot, suite digest), exit codes."""
from __future__ import annotations

import json

import pytest

from govern.store import open_store
from govern.validate.run import default_suites
from govern.validate.suites import suite_digest

LABELS = ["billing", "technical", "account", "shipping"]
CANARY = "zq-canary-55@secret.example.net"


def tickets(path, extra=()):
    rows = [{"id": f"T{i:04d}", "text": f"my order {i} is late", "label": LABELS[i % 4]}
            for i in range(16)] + list(extra)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def snapshot(govern, path, name):
    res = govern("snapshot", "create", path, "--name", name)
    assert res.exit_code == 0, res.output
    return res.output.strip().splitlines()[-1]


def test_validate_snapshot_stores_result_under_suite_digest(govern):
    sid = snapshot(govern, tickets(govern.tmp_path / "t.jsonl"), "clean")
    res = govern("validate", "clean", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["success"] and out["layout"] == "classification"
    config = suite_digest(default_suites("classification")[0])
    stored = open_store(govern.store).get_result("validation", sid, config)
    assert stored is not None and stored[0] == out["result"]
    assert stored[1]["suites"][0]["statistics"]["unsuccessful_expectations"] == 0


def declare_labels(govern, labels=LABELS):
    pol = govern.tmp_path / "govern.toml"
    pol.write_text(pol.read_text().replace("labels = []", "labels = " + json.dumps(labels), 1))


def test_failing_suite_exits_1_with_masked_examples_only(govern):
    declare_labels(govern)
    bad = {"id": "T9999", "text": "refund please", "label": CANARY}
    snapshot(govern, tickets(govern.tmp_path / "t.jsonl", [bad]), "dirty")
    res = govern("validate", "dirty")
    assert res.exit_code == 1
    assert "expect_column_values_to_be_in_set" in res.output and "label" in res.output
    assert CANARY not in res.output and "secret.example" not in res.output
    js = govern("validate", "dirty", "--json")
    assert js.exit_code == 1 and CANARY not in js.output
    assert '"rows": [\n' in js.output or '"rows": [16]' in js.output.replace("\n", "").replace(" ", "")


def test_custom_suite_on_ad_hoc_files_stores_nothing(govern):
    data = tickets(govern.tmp_path / "t.jsonl")
    suite = govern.tmp_path / "strict.json"
    suite.write_text(json.dumps({"name": "strict", "expectations": [
        {"type": "expect_column_values_to_be_in_set",
         "kwargs": {"column": "label", "value_set": ["billing"]}}]}))
    res = govern("validate", data, "--suite", suite)
    assert res.exit_code == 1 and "strict" in res.output
    assert open_store(govern.store).list_results("validation") == []
    ok = govern("validate", data, "--suite", default_suites("classification")[0])
    assert ok.exit_code == 0, ok.output


def test_malformed_suite_is_exit_2_naming_file_and_line(govern):
    data = tickets(govern.tmp_path / "t.jsonl")
    suite = govern.tmp_path / "broken.json"
    suite.write_text('{"name": "x",\n "expectations": [\n  {"type": }\n]}')
    res = govern("validate", data, "--suite", suite)
    assert res.exit_code == 2
    assert "broken.json:3:" in res.output


@pytest.mark.parametrize("expectations, message", [
    ([{"type": "expect_nothing_at_all", "kwargs": {}}], "expectation 0 ('expect_nothing_at_all')"),
    ([{"type": "expect_column_values_to_be_between", "kwargs": {"colum": "a"}}], "is not valid"),
    ([], "no expectations"),
])
def test_unusable_suite_fails_closed_with_exit_2(govern, expectations, message):
    data = tickets(govern.tmp_path / "t.jsonl")
    suite = govern.tmp_path / "bad.json"
    suite.write_text(json.dumps({"name": "bad", "expectations": expectations}))
    res = govern("validate", data, "--suite", suite)
    assert res.exit_code == 2 and "bad.json" in res.output and message in res.output


def test_suite_digest_ignores_formatting_but_not_content(tmp_path):
    base = default_suites("classification")[0]
    data = json.loads(base.read_text())
    same, changed = tmp_path / "same.json", tmp_path / "changed.json"
    same.write_text(json.dumps(data, indent=8))
    data["expectations"][0]["kwargs"]["min_value"] = 2
    changed.write_text(json.dumps(data))
    assert suite_digest(same) == suite_digest(base)
    assert suite_digest(changed) != suite_digest(base)


def chats(n, extra=()):
    return [{"messages": [{"role": "system", "content": "be brief"},
                          {"role": "user", "content": f"question {i}"},
                          {"role": "assistant", "content": f"answer number {i}"}]}
            for i in range(n)] + list(extra)


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_suite_from_a_reference_snapshot_fits_its_data_and_catches_drift(govern):
    ref_rows = [{"text": f"refund for order {i}" + " please" * (i % 5), "label": lab}
                for i, lab in enumerate(["refund", "bug", "hours"] * 20)]
    snapshot(govern, write(govern.tmp_path / "ref.jsonl", ref_rows), "ref")
    out = govern.tmp_path / "expectations" / "support.json"
    res = govern("validate", "--suite-from", "ref", "--out", out)
    assert res.exit_code == 0, res.output
    suite = json.loads(out.read_text())
    assert suite["name"] == "support"
    in_set = [e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_in_set"]
    assert in_set[0]["kwargs"] == {"column": "label", "value_set": ["bug", "hours", "refund"]}
    shares = [e for e in suite["expectations"] if e["kwargs"].get("column") == "_label_share"]
    assert len(shares) == 3 and all(
        e["kwargs"]["min_value"] <= 1 / 3 <= e["kwargs"]["max_value"] for e in shares)
    assert any(e["type"] == "expect_column_quantile_values_to_be_between" for e in suite["expectations"])
    assert govern("validate", "ref", "--suite", out).exit_code == 0   # the reference fits its suite
    new_label = ref_rows + [{"text": "where is my parcel", "label": "shipping"}]
    res = govern("validate", write(govern.tmp_path / "a.jsonl", new_label), "--suite", out)
    assert res.exit_code == 1 and "expect_column_values_to_be_in_set(label)" in res.output
    skewed = ref_rows + [{"text": f"refund again {i}", "label": "refund"} for i in range(40)]
    res = govern("validate", write(govern.tmp_path / "b.jsonl", skewed), "--suite", out)
    assert res.exit_code == 1 and "expect_column_values_to_be_between(_label_share)" in res.output
    longer = [{**r, "text": r["text"] * 6} for r in ref_rows]
    res = govern("validate", write(govern.tmp_path / "c.jsonl", longer), "--suite", out)
    assert res.exit_code == 1 and "expect_column_quantile_values_to_be_between(_chars)" in res.output


def test_suite_from_chat_data_keeps_its_role_order(govern):
    data = write(govern.tmp_path / "chat.jsonl", chats(12))
    out = govern.tmp_path / "chat-suite.json"
    assert govern("validate", "--suite-from", data, "--out", out).exit_code == 0
    assert govern("validate", data, "--suite", out).exit_code == 0
    tool = chats(12, [{"messages": [{"role": "user", "content": "hi"},
                                    {"role": "tool", "content": "{}"},
                                    {"role": "assistant", "content": "hello"}]}])
    res = govern("validate", write(govern.tmp_path / "t.jsonl", tool), "--suite", out)
    assert res.exit_code == 1 and "expect_column_values_to_match_regex(_roles)" in res.output
    assert govern("validate", "--suite-from", data).exit_code == 2      # --out is required
