"""scan_target end to end on files and snapshots: both directions, attribution, self-test,
stored results reused, config digest."""
from __future__ import annotations

import json

import pytest

from govern.leakage.scan import config_digest, scan_target
from govern.snapshot import snapshot_files
from govern.snapshot.target import Target
from govern.store import init_store
from tests.leakage.conftest import GOLDEN

NEGATIVES = [
    "I was charged twice for order 99812 on June 14 and I need a refund for the duplicate payment.",
    "How do I add a second user to my Premium account?",
    "My Pulse earbuds keep disconnecting from Bluetooth every few minutes.",
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def files(tmp_path):
    golden = [{"id": f"g{i}", "question": t, "label": "x"} for i, t in enumerate(GOLDEN)]
    golden.append({"id": "g-dup", "question": GOLDEN[0].upper(), "label": "x"})  # inside
    train = [{"id": i, "prompt": t, "completion": "Sure, happy to help."}
             for i, t in enumerate(NEGATIVES)]
    train += [{"id": 10, "prompt": "Answer this ticket.", "completion": GOLDEN[2]},
              {"id": 11, "prompt": GOLDEN[2].lower(), "completion": "ok"},
              {"id": 12, "messages": [{"role": "user", "content": "hi"},
                                      {"role": "assistant", "content": GOLDEN[2]}]}]
    return (write_jsonl(tmp_path / "golden.jsonl", golden),
            write_jsonl(tmp_path / "train.jsonl", train))


def test_scan_of_files_names_rows_golden_items_and_methods(tmp_path, files, policy):
    store, _ = init_store(tmp_path / ".govern")
    golden, train = files
    scan = scan_target(store, Target("t", files=[train]), [Target("g", files=[golden])], policy)
    by_row = {f.row: f for f in scan.findings}
    assert sorted(by_row) == [3, 4, 5]
    assert {f.golden for f in scan.findings} == {"g2"}
    assert by_row[3].field == "completion" and by_row[5].field == "messages[1].content"
    assert by_row[5].role == "assistant"
    assert by_row[4].method == "exact" and "semantic" in by_row[4].methods
    s = scan.summary
    assert s["attribution"] == [{"golden": "g2", "golden_set": "g", "hits": 3}]
    assert s["golden_internal_duplicates"] == 1       # g0 and g-dup
    assert s["status"] == "fail" and s["leaked_records"] == 3 and s["failed"] == 0
    # every copy kind is caught; the self-test's hand synonym edits of 4 tickets are the
    # semantic decision's to take or leave, and the summary says how many it took
    assert s["self_test"]["any"]["recall"] >= 0.9
    assert all(k["caught"] == k["planted"] for name, k in s["self_test_by_kind"].items()
               if name in ("exact", "case_space_punct", "rewrapped", "embedded", "numbers"))
    assert set(s["self_test"]) >= {"exact", "ngram13", "minhash", "semantic", "any"}
    assert scan.digest is None  # ad hoc files are scanned, not stored


def test_missing_chosen_field_counts_as_failed(tmp_path, files, policy):
    golden, train = files
    scan = scan_target(None, Target("t", files=[train]), [Target("g", files=[golden])], policy,
                       methods=["exact"], fields=["prompt"], self_test=False)
    assert scan.summary["failed"] == 1 and scan.summary["status"] == "fail"


def test_snapshot_result_is_stored_and_reused(tmp_path, files, policy):
    store, _ = init_store(tmp_path / ".govern")
    golden, train = files
    snap = snapshot_files(store, [str(train)]).snapshot
    gold = snapshot_files(store, [str(golden)], kind="golden", name="eval").snapshot
    tgt = Target("t", snapshot=snap)
    first = scan_target(store, tgt, [gold], policy, methods=["exact", "ngram8"])
    again = scan_target(store, tgt, [gold], policy, methods=["exact", "ngram8"])
    assert first.digest and again.digest == first.digest and again.reused
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in first.findings]
    payload = store.get_json(first.digest)
    assert payload["golden"] == [{"id": gold.id, "name": "eval", "count": 5}]
    assert payload["snapshot"] == snap.id and payload["config"] == config_digest(
        policy, [gold.id], methods=["exact", "ngram8"])
    blob = store.objects.get_bytes(payload["findings_object"]).decode()
    assert len(blob.splitlines()) == payload["findings"] == 3


def test_config_digest_changes_with_thresholds_and_golden_ids(policy):
    from govern.policy.load import Policy, validate
    stricter = Policy(validate({"version": 1, "leakage": {"ngram8": {"threshold": 0.9}}}), None)
    assert config_digest(policy, ["a"]) == config_digest(policy, ["a"])
    assert config_digest(policy, ["a"]) != config_digest(policy, ["b"])
    assert config_digest(policy, ["a"]) != config_digest(stricter, ["a"])


def test_a_copy_names_one_of_two_duplicate_golden_items(tmp_path, files, policy):
    golden, _ = files
    train = write_jsonl(tmp_path / "copy.jsonl", [{"text": GOLDEN[0]}, {"text": NEGATIVES[1]}])
    scan = scan_target(None, Target("t", files=[train]), [Target("g", files=[golden])], policy,
                       self_test=False)
    assert [(f.row, f.golden) for f in scan.findings] == [(0, "g0")]
    assert scan.golden_duplicates == [{"items": ["g0", "g-dup"], "golden_set": "g",
                                       "methods": ["exact", "minhash", "ngram13", "ngram8",
                                                   "substring"]}]
