"""Suite format: the shipped suites load, digests follow content, errors name file and line;
generation checks and classification metrics on hand-computed cases."""
from __future__ import annotations

import pytest

from govern.errors import InputError, UsageError
from govern.evaluate.metrics import check_generation, suite_metrics
from govern.evaluate.suite import find_suite, load_suite

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GENERAL = REPO / "evals" / "regression" / "general-text-likelihood"
PROBE = REPO / "evals" / "regression" / "minilm-similarity-probe"


def test_shipped_suites_load_by_name():
    golden = find_suite("support-tickets-golden", REPO / "evals")
    assert (golden.kind, golden.role, golden.metric, len(golden.items)) == \
        ("classification", "golden", "accuracy", 60)
    assert golden.items[0]["id"] == "G001" and len(golden.meta["few_shot"]) == 8
    assert find_suite(str(PROBE)).kind == "similarity"
    assert find_suite(str(GENERAL / "suite.toml")).metric == "mean_log_likelihood"
    # the bare golden JSONL finds its metadata beside it
    assert find_suite(str(REPO / "evals/golden/support_tickets.jsonl")).digest == golden.digest


def test_digest_changes_with_items(tmp_path):
    (tmp_path / "suite.toml").write_text('name = "t"\nkind = "likelihood"\n')
    (tmp_path / "items.jsonl").write_text('{"id": 1, "text": "a b"}\n')
    first = load_suite(tmp_path / "suite.toml").digest
    assert load_suite(tmp_path / "suite.toml").digest == first
    (tmp_path / "items.jsonl").write_text('{"id": 1, "text": "a c"}\n')
    assert load_suite(tmp_path / "suite.toml").digest != first


@pytest.mark.parametrize("meta,items,message", [
    ('name = "t"\nkind = "classification"\n', '{"id": 1, "text": "x"}\n', "items.jsonl:1: item lacks label"),
    ('name = "t"\nkind = "likelihood"\n', '{"id": 1, "text": "x"}\n{"id": 1, "text": "y"}\n',
     "items.jsonl:2: duplicate item id"),
    ('name = "t"\nkind = "likelihood"\n', '{"id": 1, "text": "x"}\n{bad\n', "items.jsonl:2: invalid JSON"),
    ('name = "t"\nkind = "poetry"\n', '', "unknown suite kind"),
    ('name = "t"\nkind = "likelihood"\nmetric = "accuracy"\n', '', "does not fit"),
])
def test_malformed_suites(tmp_path, meta, items, message):
    (tmp_path / "suite.toml").write_text(meta)
    (tmp_path / "items.jsonl").write_text(items)
    with pytest.raises(InputError, match=message):
        load_suite(tmp_path / "suite.toml")


def test_unknown_suite_name(tmp_path):
    with pytest.raises(UsageError, match="no eval suite"):
        find_suite("nope", tmp_path)


SCHEMA = {"type": "object", "required": ["label"], "properties": {"label": {"enum": ["a", "b"]}},
          "additionalProperties": False}


@pytest.mark.parametrize("metric,output,item,ok", [
    ("exact_match", " Paris ", {"reference": "Paris"}, True),
    ("exact_match", "paris", {"reference": "Paris"}, False),
    ("normalized_match", "  PARIS!", {"reference": "Paris"}, True),
    ("normalized_match", "Café", {"reference": "cafe"}, True),
    ("contains", "The capital is Paris, France.", {"reference": "paris"}, True),
    ("contains", "Lyon", {"reference": "Paris"}, False),
    ("regex", "ORD-1234", {"pattern": r"ORD-\d{4}"}, True),
    ("regex", "ORD-12345", {"pattern": r"ORD-\d{4}"}, False),
    ("json_schema", '{"label": "a"}', {"schema": SCHEMA}, True),
    ("json_schema", '{"label": "c"}', {"schema": SCHEMA}, False),
    ("json_schema", 'label: a', {"schema": SCHEMA}, False),
    ("json_schema", '{"label": "a", "extra": 1}', {"schema": SCHEMA}, False),
])
def test_generation_checks(metric, output, item, ok):
    assert check_generation(metric, output, item, {}) is ok


def test_classification_metrics_hand_computed():
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b"), ("c", "a")]
    items = [{"id": i, "pass": p == l, "score": float(p == l), "prediction": p, "label": l}
             for i, (l, p) in enumerate(pairs)]
    m = suite_metrics("classification", "accuracy", items)
    assert m["accuracy"] == 0.6
    # F1: a = 2*(1/2*1/2)/(1) = 0.5, b = 2*(2/3*1)/(5/3) = 0.8, c = 0 -> mean 0.433333
    assert m["macro_f1"] == pytest.approx(1.3 / 3, abs=1e-6)
    assert suite_metrics("classification", "accuracy", [])["accuracy"] is None
