"""PII test fixtures: one analyzer per session (spaCy + presidio load once), sample data."""
from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session")
def settings():
    from govern.pii.settings import detection_settings
    from govern.policy.load import Policy, validate
    return detection_settings(Policy(validate({"version": 1}), None))


@pytest.fixture(scope="session")
def analyzer(settings):
    from govern.pii.analyzer import analyzer_for
    return analyzer_for(settings)


def spans_of(analyzer, text: str) -> set[tuple[str, str]]:
    """{(type, matched text)} the analyzer reports for one text."""
    (result,) = analyzer.analyze([text])
    assert not isinstance(result, str), result
    return {(e, text[s:t]) for e, s, t, _, _ in result}


def write_jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


TICKETS = [
    {"id": "1", "text": "Hi, I'm Sarah Connor, email sarah.connor@example.com, call 415-555-0132.",
     "label": "billing"},
    {"id": "2", "text": "Order 12345678 with product code AB-1234-XY arrived broken.", "label": "shipping"},
    {"id": "3", "text": "our deploy config has aws_access_key_id=AKIAZ7QX4MRT2LBN5KWE oops",
     "label": "security"},
    {"id": "4", "messages": [
        {"role": "user", "content": "my name is john smith, I live at 742 Evergreen Terrace"},
        {"role": "assistant", "content": "Thanks, I updated the delivery details."}]},
]


@pytest.fixture
def tickets(tmp_path):
    path = tmp_path / "tickets.jsonl"
    write_jsonl(path, TICKETS)
    return path
