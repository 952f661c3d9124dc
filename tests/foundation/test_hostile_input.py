"""Hostile and odd input (issue 22 rows 5-10): bounded memory on gzip bombs and floods, located
errors for deep nesting, broken gzip and unsupported Parquet, no silent change of values or
columns, literal paths before globs, CSV fields as long as max_record_bytes, hints that name
options the command has."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPANDED = 256 * 1024 * 1024  # each bomb expands to 256 MiB
ADDRESS_SPACE = 768 * 1024 * 1024  # what the ingest process may map in all


def _gzip(path: Path, head: bytes, unit: bytes, tail: bytes) -> Path:
    block = unit * (1024 * 1024 // len(unit))
    with gzip.open(path, "wb", compresslevel=6) as f:
        f.write(head)
        for _ in range(EXPANDED // len(block)):
            f.write(block)
        f.write(tail)
    return path


BOMBS = {  # name: (file name, head, repeated unit, tail, words of the message)
    "one long line": ("line.jsonl.gz", b'{"text": "', b"a", b'"}\n', "over the limit"),
    "whitespace line": ("spaces.jsonl.gz", b"", b" ", b"\n", "over the limit"),
    "json array element": ("array.json.gz", b'[{"text": "', b"a", b'"}]', "over the limit"),
    "newline flood": ("newlines.jsonl.gz", b"", b"\n", b'{"text": "a"}\n', "expands past"),
}

LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from govern.cli.main import main
sys.argv = ["govern", "snapshot", "create", sys.argv[1]]
main()
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return {name: _gzip(folder / f, head, unit, tail)
            for name, (f, head, unit, tail, _) in BOMBS.items()}


@pytest.mark.parametrize("name", list(BOMBS))
def test_gzip_bombs_exit_2_within_a_memory_limit(govern, bombs, name):
    assert bombs[name].stat().st_size < 2 * 1024 * 1024  # small on disk, 256 MiB expanded
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GOVERN_STORE": str(govern.store)}
    res = subprocess.run([sys.executable, "-c", LIMITED.format(limit=ADDRESS_SPACE),
                          str(bombs[name])], env=env, capture_output=True, text=True, timeout=60,
                         cwd=govern.tmp_path)
    assert res.returncode == 2, res.stderr[-500:]
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"error: {bombs[name]}:") and BOMBS[name][4] in first, first


def _create(govern, path, *args):
    return govern("snapshot", "create", path, *args)


def test_deep_nesting_is_a_located_error_not_a_worker_crash(govern):
    path = govern.tmp_path / "deep.jsonl"
    path.write_text('{"text": "a"}\n{"n": ' + "[" * 5000 + "]" * 5000 + "}\n")
    res = _create(govern, path)
    assert res.exit_code == 2
    assert f"{path}:2: record nests deeper than" in res.output
    array = govern.tmp_path / "deep.json"
    array.write_text('[{"text": "a"},\n{"n": ' + "[" * 5000 + "]" * 5000 + "}]")
    res = _create(govern, array)
    assert res.exit_code == 2 and f"{array}:2: record nests deeper than" in res.output


def test_truncated_gzip_names_the_file_and_line(govern):
    data = gzip.compress(b"".join(b'{"text": "record %d"}\n' % i for i in range(20000)))
    path = govern.tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    res = _create(govern, path)
    assert res.exit_code == 2
    assert f"error: {path}:" in res.output and "truncated or corrupt" in res.output
    assert "internal error" not in res.output


@pytest.mark.parametrize("column,values", [
    ("blob", [b"\x00\x01", b"\x02"]),
    ("ts", ["2024-01-01T00:00:00", "2024-01-02T00:00:00"]),
], ids=["binary", "timestamp"])
def test_unsupported_parquet_types_are_named(govern, column, values):
    import pyarrow as pa
    import pyarrow.parquet as pq
    col = pa.array(values) if column == "blob" else pa.array(values).cast(pa.timestamp("ms"))
    path = govern.tmp_path / f"{column}.parquet"
    pq.write_table(pa.table({"text": ["a", "b"], column: col}), path)
    res = _create(govern, path)
    assert res.exit_code == 2
    assert f"{path}:1: column '{column}' has type" in res.output
    assert "internal error" not in res.output


def test_parquet_duplicate_columns_are_refused(govern):
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["text", "text"])
    path = govern.tmp_path / "dup.parquet"
    pq.write_table(table, path)
    res = _create(govern, path)
    assert res.exit_code == 2 and "repeats the column name 'text'" in res.output


@pytest.mark.parametrize("name,text", [
    ("jsonl", '{"text": "a", "score": 1e999}\n'),
    ("json", '[{"text": "a", "score": -1e999}]'),
])
def test_out_of_range_numbers_are_refused_not_nulled(govern, name, text):
    path = govern.tmp_path / f"big.{name}"
    path.write_text(text)
    res = _create(govern, path)
    assert res.exit_code == 2 and f"{path}:1:" in res.output and "out of range" in res.output


def test_an_existing_file_with_glob_characters_is_taken_literally(govern):
    (govern.tmp_path / "a.jsonl").write_text('{"text": "the glob would pick me"}\n')
    literal = govern.tmp_path / "[ab]*.jsonl"
    literal.write_text('{"text": "the file named"}\n')
    res = govern("snapshot", "create", str(literal), "--name", "lit")
    assert res.exit_code == 0, res.output
    shown = govern("snapshot", "show", "lit", "--json")
    assert [s["path"] for s in json.loads(shown.stdout)["sources"]] == [str(literal)]
    exported = govern.tmp_path / "out.jsonl"
    assert govern("snapshot", "export", "lit", exported).exit_code == 0
    assert "the file named" in exported.read_text()


def test_csv_fields_follow_max_record_bytes(govern):
    long = "x" * 200_000
    csv_path = govern.tmp_path / "long.csv"
    csv_path.write_text(f"text,label\n{long},a\n")
    jsonl_path = govern.tmp_path / "long.jsonl"
    jsonl_path.write_text(json.dumps({"text": long, "label": "a"}) + "\n")
    for path in (csv_path, jsonl_path):
        res = _create(govern, path, "--max-record-bytes", "1000000")
        assert res.exit_code == 0, res.output
    res = _create(govern, csv_path, "--max-record-bytes", "100000")
    assert res.exit_code == 2 and f"{csv_path}:2:" in res.output


def test_a_worker_failure_hint_names_an_option_snapshot_create_has(govern, monkeypatch):
    from govern.snapshot import chunks

    def broken(self, chunk):
        raise RuntimeError("a worker died")
    monkeypatch.setattr(chunks.ChunkJob, "ingest", broken)
    path = govern.tmp_path / "d.jsonl"
    path.write_text('{"text": "a"}\n')
    res = govern("snapshot", "create", path, "--engine", "local")
    assert res.exit_code == 2
    hint = next(line for line in res.output.splitlines() if line.startswith("hint:"))
    options = {p.opts[0] for p in _create_command().params if p.opts[0].startswith("--")}
    named = {w.strip("`.,;:") for w in hint.split() if w.startswith("--")}
    assert named and named <= options, (hint, options)


def _create_command():
    from govern.cli.snapshot import create
    return create
