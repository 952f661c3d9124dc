"""`govern redact`: a deterministic child snapshot that passes the scan, with lineage."""
from __future__ import annotations

import json

from tests.pii.conftest import write_jsonl


def _create(govern, path, name="t"):
    res = govern("snapshot", "create", path, "--name", name)
    assert res.exit_code == 0, res.output
    return res.output.strip().splitlines()[-1]


def _records(govern, ref):
    out = govern.tmp_path / f"{ref[:8]}.jsonl"
    assert govern("snapshot", "export", ref, out).exit_code == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_replace_gives_a_child_that_passes(govern, tickets):
    parent = _create(govern, tickets)
    res = govern("redact", "t")
    assert res.exit_code == 0, res.output
    child = res.output.strip().splitlines()[-1]
    assert govern("scan", "pii", child, "--workers", "1").exit_code == 0
    shown = json.loads(govern("snapshot", "show", child, "--json").stdout)
    assert shown["parent"] == parent
    assert len(shown["extra"]["redaction"]["policy"]) == 64
    text = _records(govern, child)[0]["text"]
    assert "<EMAIL_ADDRESS>" in text and "example.com" not in text
    assert govern("redact", "t").output.strip().splitlines()[-1] == child  # deterministic


def test_pseudonyms_are_keyed_and_consistent(govern, tmp_path):
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [{"text": "mail jane.doe@example.org now"},
                       {"text": "again jane.doe@example.org and bob.ray@example.net"}])
    _create(govern, path)
    child = govern("redact", "t", "--action", "pseudonymize").output.strip().splitlines()[-1]
    a, b = (r["text"] for r in _records(govern, child))
    first = a.split()[1]
    assert first.startswith("<EMAIL_ADDRESS_") and b.split()[1] == first
    assert b.split()[3] != first and "example" not in a + b


def test_mask_and_drop_record(govern, tmp_path):
    path = tmp_path / "m.jsonl"
    write_jsonl(path, [{"text": "key AKIAZ7QX4MRT2LBN5KWE here"}, {"text": "nothing to see"}])
    _create(govern, path)
    masked = govern("redact", "t", "--action", "mask").output.strip().splitlines()[-1]
    assert _records(govern, masked)[0]["text"] == "key " + "*" * 20 + " here"
    dropped = govern("redact", "t", "--action", "drop-record").output.strip().splitlines()[-1]
    assert _records(govern, dropped) == [{"text": "nothing to see"}]
