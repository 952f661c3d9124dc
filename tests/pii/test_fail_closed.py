"""Fail closed: a record that could not be scanned exits 2 and scanned + failed = total."""
from __future__ import annotations

import json

from tests.pii.conftest import write_jsonl


def test_text_over_the_limit_exits_2_and_counts_it(govern, tmp_path):
    policy = tmp_path / "govern.toml"
    policy.write_text(policy.read_text().replace("max_text_chars = 5000000", "max_text_chars = 80"))
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "a short clean line"}, {"text": "clean words " * 20},
                       {"text": "another clean line"}])
    for target in (path, "s"):
        if target == "s":
            assert govern("snapshot", "create", path, "--name", "s").exit_code == 0
        res = govern("scan", "pii", target, "--format", "json", "--workers", "1")
        assert res.exit_code == 2
        summary = json.loads(res.stdout)["summary"]
        assert (summary["scanned"], summary["failed"], summary["total"]) == (2, 1, 3)
        assert summary["status"] == "fail"
        assert "could not be scanned" in res.stderr


def test_failed_records_are_not_cached_as_clean(govern, tmp_path):
    policy = tmp_path / "govern.toml"
    original = policy.read_text()
    policy.write_text(original.replace("max_text_chars = 5000000", "max_text_chars = 80"))
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "mail jane.doe@example.org " + "x " * 40}])
    assert govern("scan", "pii", path, "--workers", "1").exit_code == 2
    policy.write_text(original)
    assert govern("scan", "pii", path, "--workers", "1").exit_code == 1


def test_redaction_refuses_a_partial_scan(govern, tmp_path):
    policy = tmp_path / "govern.toml"
    policy.write_text(policy.read_text().replace("max_text_chars = 5000000", "max_text_chars = 80"))
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "clean words " * 20}])
    assert govern("snapshot", "create", path, "--name", "s").exit_code == 0
    res = govern("redact", "s")
    assert res.exit_code == 2 and "could not be scanned" in res.stderr
