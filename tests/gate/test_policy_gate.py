"""The [gate] and [validate] policy sections: defaults, and errors with file, line and key."""
from __future__ import annotations

import json
import re

import pytest


def line_of(path, needle):
    return next(i for i, l in enumerate(path.read_text().splitlines(), 1) if l.startswith(needle))


def test_policy_check_prints_gate_defaults(govern):
    res = govern("policy", "check", "--json")
    assert res.exit_code == 0
    gate = json.loads(res.stdout)["policy"]["gate"]
    assert gate["require"] == ["pii", "secrets", "leakage", "validation", "min_records"]
    assert gate["missing_inputs"] == "not-applicable"
    assert json.loads(res.stdout)["policy"]["validate"] == {"suites": [], "labels": []}


def test_defaults_apply_when_the_section_is_left_out(govern):
    pol = govern.tmp_path / "govern.toml"
    pol.write_text(re.sub(r"\n\[gate\]\n.*?(?=\n\[|\Z)", "\n", pol.read_text(), flags=re.S))
    assert "[gate]" not in pol.read_text() and "[validate]" in pol.read_text()
    res = govern("policy", "check", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["policy"]["gate"]["min_records"] == 1


@pytest.mark.parametrize("old, new, key, reason", [
    ("min_records = 1", "min_record = 1", "gate.min_record", "did you mean 'min_records'"),
    ("min_records = 1", 'min_records = "ten"', "gate.min_records", "is not of type 'integer'"),
    ('missing_inputs = "not-applicable"', 'missing_inputs = "skip"', "gate.missing_inputs",
     "is not one of"),
    ('require = ["pii",', 'require = ["pi",', "gate.require", "is not one of"),
    ("suites = []", 'suites = "chat.json"', "validate.suites", "is not of type 'array'"),
])
def test_bad_gate_policy_is_exit_2_with_file_line_key(govern, old, new, key, reason):
    pol = govern.tmp_path / "govern.toml"
    pol.write_text(pol.read_text().replace(old, new, 1))
    for args in (("policy", "check"), ("gate", "anything")):
        res = govern(*args)
        assert res.exit_code == 2
        assert f"govern.toml:{line_of(pol, new.split(' =')[0])}:" in res.output
        assert key in res.output and reason in res.output
