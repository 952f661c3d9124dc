"""Every malformed-input class stops with exit 2 and names the file and line."""
from __future__ import annotations

import gzip
import json

import pytest

GOOD = '{"text": "a", "label": "x"}\n'

CASES = [
    # (name, filename, bytes, expected line, words expected in the message)
    ("invalid json line", "d.jsonl", (GOOD + '{"text": "b",\n').encode(), 2, "invalid JSON"),
    ("invalid utf-8", "d.jsonl", GOOD.encode() + b'{"text": "\xff\xfe"}\n', 2, "UTF-8"),
    ("empty file", "d.jsonl", b"", 1, "empty"),
    ("blank lines only", "d.jsonl", b"\n\n", 1, "empty"),
    ("header-only csv", "d.csv", b"text,label\n", 1, "no rows"),
    ("ragged csv row", "d.csv", b"text,label\na,x\nb,y,z\n", 3, "3 fields"),
    ("type drift", "d.jsonl", (GOOD + '{"text": "b", "label": 3}\n').encode(), 2, "label"),
    ("duplicate keys", "d.jsonl", (GOOD + '{"text": "b", "text": "c"}\n').encode(), 2,
     "duplicate key"),
    ("NaN", "d.jsonl", (GOOD + '{"text": "b", "score": NaN}\n').encode(), 2, "NaN"),
    ("Infinity", "d.jsonl", (GOOD + '{"text": "b", "score": Infinity}\n').encode(), 2,
     "Infinity"),
    ("record over size", "d.jsonl", (GOOD + json.dumps({"text": "x" * 5000}) + "\n").encode(), 2,
     "over the limit"),
    ("nesting over depth", "d.jsonl",
     (GOOD + '{"text": "b", "n": ' + "[" * 10 + "]" * 10 + "}\n").encode(), 2, "deeper"),
    ("gzip without .gz", "d.jsonl", gzip.compress(GOOD.encode()), 1, "gzip"),
    (".gz that is not gzip", "d.jsonl.gz", GOOD.encode(), 1, "not gzip"),
    ("not an object", "d.jsonl", (GOOD + "[1, 2]\n").encode(), 2, "JSON object"),
    ("json array bad element", "d.json", b'[{"text": "a"},\n {"text": }]', 2, "invalid JSON"),
]


@pytest.mark.parametrize("name,filename,data,line,words", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_exits_2_with_file_and_line(govern, name, filename, data, line, words):
    path = govern.tmp_path / filename
    path.write_bytes(data)
    res = govern("snapshot", "create", path, "--max-record-bytes", "4096", "--max-depth", "8")
    assert res.exit_code == 2, res.output
    assert f"{path}:{line}:" in res.output
    assert words.lower() in res.output.lower()
    # nothing was stored
    assert govern("snapshot", "list", "--json").output.strip() == "[]"


def test_bom_is_accepted(govern):
    path = govern.tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    res = govern("snapshot", "create", path, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["count"] == 1


def test_quarantine_diverts_bad_lines_and_reports_counts(govern):
    path = govern.tmp_path / "d.jsonl"
    path.write_text(GOOD + "{broken\n" + '{"text": "c", "label": "y"}\n')
    q = govern.tmp_path / "bad.jsonl"
    res = govern("snapshot", "create", path, "--quarantine", q, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["count"] == 2 and out["quarantined"] == 1
    bad = [json.loads(line) for line in q.read_text().splitlines()]
    assert bad[0]["line"] == 2 and bad[0]["file"] == str(path)


def test_error_message_never_echoes_the_bad_line(govern):
    canary = "canary-4a8e1f@example.com"
    path = govern.tmp_path / "d.jsonl"
    path.write_text(GOOD + '{"text": "' + canary + '", \n')
    res = govern("snapshot", "create", path)
    assert res.exit_code == 2
    assert canary not in res.output
