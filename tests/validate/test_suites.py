"""The shipped GX suites: tables of good and bad records, and masking of unexpected values."""
from __future__ import annotations

import json

import pytest

from govern.policy import load_policy
from govern.snapshot.target import open_target
from govern.validate.run import default_suites, validate_target

LABELS = ["billing", "technical", "account", "shipping"]
CANARY = "canary-7f3a9q@leak.example.org"


def chat(*turns):
    return {"messages": [{"role": r, "content": c} for r, c in turns]}


def good_chat(n=12):
    return [chat(("user", f"question number {i}"), ("assistant", f"answer number {i}"))
            for i in range(n)]


def good_pc(n=12):
    return [{"prompt": f"prompt {i}", "completion": f"completion {i}"} for i in range(n)]


def good_cls(n=12):
    return [{"id": f"T{i:04d}", "text": f"ticket text {i}", "label": LABELS[i % 4]}
            for i in range(n)]


def labels_policy(labels=LABELS):
    """The default policy with `[validate] labels` set."""
    from govern.policy.load import Policy, validate
    return Policy(validate({"version": 1, "validate": {"labels": list(labels)}}), None)


def run(write_jsonl, records, gx_context, policy=None):
    target = open_target(None, [str(write_jsonl(records))])
    return validate_target(None, target, None, policy or load_policy(None), context=gx_context)


def failed(run_):
    return {(f["expectation"], f.get("column")): f
            for s in run_.payload["suites"] for f in s["failed"]}


@pytest.mark.parametrize("layout, records", [
    ("chat", good_chat()),
    ("chat", good_chat() + [chat(("system", "be brief"), ("user", "hi"), ("tool", "{}"),
                                 ("assistant", "hello"))]),
    ("prompt-completion", good_pc()),
    ("classification", good_cls()),
    ("text", [{"text": f"plain text {i}"} for i in range(5)]),
])
def test_good_records_pass_the_layouts_suite(write_jsonl, gx_context, layout, records):
    res = run(write_jsonl, records, gx_context)
    assert res.payload["layout"] == layout
    assert [s["file"] for s in res.payload["suites"]] == [f"{layout}.json"]
    assert res.success, failed(res)


BAD = [
    ("empty messages", good_chat() + [{"messages": []}], ("expect_column_values_to_be_between", "_turns")),
    ("unknown role", good_chat() + [chat(("user", "a"), ("robot", "b"))],
     ("expect_column_values_to_match_regex", "_roles")),
    ("no alternation", good_chat() + [chat(("user", "a"), ("user", "b"), ("assistant", "c"))],
     ("expect_column_values_to_be_in_set", "_alternates")),
    ("last turn user", good_chat() + [chat(("user", "a"), ("assistant", "b"), ("user", "c"))],
     ("expect_column_values_to_be_in_set", "_last_role")),
    ("blank content", good_chat() + [chat(("user", "a"), ("assistant", "   "))],
     ("expect_column_values_to_be_between", "_empty_contents")),
    ("missing completion", good_pc() + [{"prompt": "p only", "completion": None}],
     ("expect_column_values_to_not_be_null", "completion")),
    ("empty prompt", good_pc() + [{"prompt": "", "completion": "c"}],
     ("expect_column_values_to_be_between", "_prompt_chars")),
    ("duplicate prompts", good_pc() + [{"prompt": "prompt 1", "completion": f"other {i}"}
                                       for i in range(4)],
     ("expect_column_proportion_of_unique_values_to_be_between", "prompt")),
    ("class imbalance", good_cls(4) + [{"id": f"B{i}", "text": f"b {i}", "label": "billing"}
                                       for i in range(40)],
     ("expect_column_values_to_be_between", "_label_share")),
    ("empty text", good_cls() + [{"id": "E", "text": "", "label": "billing"}],
     ("expect_column_values_to_be_between", "_chars")),
    ("duplicate texts", [{"text": "same"} for _ in range(4)] + [{"text": "other"}],
     ("expect_column_mean_to_be_between", "_duplicate")),
]


@pytest.mark.parametrize("case, records, expected", BAD, ids=[b[0] for b in BAD])
def test_bad_records_fail_the_named_expectation(write_jsonl, gx_context, case, records, expected):
    res = run(write_jsonl, records, gx_context)
    assert not res.success
    fails = failed(res)
    assert expected in fails, sorted(fails)
    if "rows" in fails[expected]:  # per-record expectations point at the planted record
        assert len(records) - 1 in fails[expected]["rows"] or case == "class imbalance"


def test_failed_summary_never_holds_a_planted_canary(write_jsonl, gx_context):
    records = good_cls() + [{"id": "C1", "text": f"mail me at {CANARY}", "label": CANARY},
                            {"id": "C2", "text": "call", "label": 4155550123}]
    res = run(write_jsonl, records, gx_context, labels_policy())
    f = failed(res)[("expect_column_values_to_be_in_set", "label")]
    assert f["unexpected_count"] == 2 and f["rows"] == [12, 13]
    dumped = json.dumps(res.payload)
    assert CANARY not in dumped and "leak.example" not in dumped
    assert "4155550123" not in dumped and "5550123" not in dumped
    assert f["examples"][0].startswith("c***@")


def test_default_suites_follow_the_layout():
    assert [p.name for p in default_suites("chat")] == ["chat.json"]
    assert [p.name for p in default_suites("classification")] == ["classification.json"]
    assert default_suites("other") == []
    for layout in ("chat", "prompt-completion", "classification", "text"):
        data = json.loads(default_suites(layout)[0].read_text())
        assert data["expectations"] and all("type" in e for e in data["expectations"])


def test_the_shipped_suites_hold_no_dataset_specific_values():
    for layout in ("chat", "prompt-completion", "classification", "text"):
        data = json.loads(default_suites(layout)[0].read_text())
        for e in data["expectations"]:
            if e["kwargs"].get("column") in ("label", "text", "prompt", "completion", "messages"):
                assert "value_set" not in e["kwargs"], (layout, e)


@pytest.mark.parametrize("labels", [["refund", "bug", "hours"], list("abcdefghijklmnopqrst"), [0, 1]])
def test_any_label_set_passes_the_default_classification_suite(write_jsonl, gx_context, labels):
    records = [{"text": f"ticket text {i}", "label": labels[i % len(labels)]}
               for i in range(3 * len(labels))]
    res = run(write_jsonl, records, gx_context)
    assert res.success, failed(res)
    assert [s["file"] for s in res.payload["suites"]] == ["classification.json"]


def test_validate_labels_adds_the_label_check_and_changes_the_config(write_jsonl, gx_context):
    records = [{"text": f"ticket text {i}", "label": ["refund", "bug", "hours"][i % 3]}
               for i in range(12)]
    declared = labels_policy(["refund", "bug", "hours"])
    res = run(write_jsonl, records, gx_context, declared)
    assert res.success, failed(res)
    assert [s["file"] for s in res.payload["suites"]] == ["classification.json", "[validate] labels"]
    plain = run(write_jsonl, records, gx_context)
    assert plain.config != res.config        # stored results under other labels are stale
    outside = records + [{"text": "something else", "label": "shipping"}]
    res = run(write_jsonl, outside, gx_context, declared)
    f = failed(res)[("expect_column_values_to_be_in_set", "label")]
    assert not res.success and f["rows"] == [12] and f["unexpected_count"] == 1
    assert run(write_jsonl, outside, gx_context).success   # no labels declared: no label set
