"""Everything that is text is scanned (issue 22 row 4): a card number written as a JSON number,
an email used as a JSON key, an email in an id field; `redact` removes each; id fields can be
left out by policy. Field paths never repeat the value they point at."""
from __future__ import annotations

import json

import pytest

from tests.pii.conftest import write_jsonl

CARD, EMAIL, ID_EMAIL = 4111111111111111, "zanzibar.quokka77@plantedmail.com", \
    "maria.keller@example.com"
RECORDS = [
    {"id": "a1", "text": "please refund the parcel", "card": CARD},
    {"id": "a2", "text": "contact list attached", "contacts": {EMAIL: "primary"}},
    {"id": ID_EMAIL, "text": "a note about shipping"},
]


def _scan(govern, ref):
    res = govern("scan", "pii", ref, "--workers", "1", "--format", "jsonl")
    return res, [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


@pytest.fixture
def snap(govern):
    write_jsonl(govern.tmp_path / "d.jsonl", RECORDS)
    assert govern("snapshot", "create", govern.tmp_path / "d.jsonl", "--name", "d").exit_code == 0
    return "d"


def test_numbers_keys_and_ids_are_scanned(govern, snap):
    res, found = _scan(govern, snap)
    assert res.exit_code == 1
    by_row = {(f["row"], f["type"]) : f["field"] for f in found}
    assert by_row.get((0, "CREDIT_CARD")) == "card"
    assert by_row.get((1, "EMAIL_ADDRESS")) == "contacts.#key0"
    assert by_row.get((2, "EMAIL_ADDRESS")) == "id"
    for value in (str(CARD), EMAIL, ID_EMAIL):
        assert value not in res.stdout


def test_redact_removes_numbers_keys_and_ids(govern, snap):
    res = govern("redact", snap, "--workers", "1")
    assert res.exit_code == 0, res.output
    child = res.output.strip().splitlines()[-1]
    out = govern.tmp_path / "child.jsonl"
    assert govern("snapshot", "export", child, out).exit_code == 0
    text = out.read_text()
    for value in (str(CARD), EMAIL, ID_EMAIL):
        assert value not in text
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows[0]["card"] is None and len(rows[1]["contacts"]) == 1


def test_id_fields_can_be_left_out_by_policy(govern, snap):
    policy = govern.tmp_path / "govern.toml"
    policy.write_text(policy.read_text().replace("scan_id_fields = true",
                                                 "scan_id_fields = false"))
    _, found = _scan(govern, snap)
    assert not [f for f in found if f["field"] == "id"]
    assert [f for f in found if f["field"] == "card"]
