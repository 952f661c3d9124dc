"""Readers for JSONL, JSON arrays, CSV and Parquet (optionally gzipped).

Every record comes out with its source file and 1-based line (or row for Parquet). Malformed
input raises InputError naming file and line; nothing is silently dropped or coerced. With a
quarantine sink, bad lines are diverted there instead and counted.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from govern.data.sources import data_suffix
from govern.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Limits:
    max_record_bytes: int = 10 * 1024 * 1024
    max_depth: int = 32


@dataclass
class SourceRecord:
    record: dict
    file: str
    line: int


@dataclass
class Quarantine:
    """Where bad lines go when the user asked for it (otherwise they stop the command)."""
    sink: io.TextIOBase | None = None
    count: int = 0
    reasons: list = field(default_factory=list)

    def divert(self, err: InputError, raw: str) -> None:
        if self.sink is None:
            raise err
        self.count += 1
        self.reasons.append({"file": err.file, "line": err.line, "reason": str(err)})
        self.sink.write(json.dumps({"file": err.file, "line": err.line, "error": err.message,
                                    "raw": raw}, ensure_ascii=False) + "\n")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"duplicate key {k!r}")
        obj[k] = v
    return obj


_decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def _depth(obj, limit: int, level: int = 1) -> bool:
    """True when obj nests deeper than limit."""
    if level > limit:
        return True
    if isinstance(obj, dict):
        return any(_depth(v, limit, level + 1) for v in obj.values() if isinstance(v, (dict, list)))
    if isinstance(obj, list):
        return any(_depth(v, limit, level + 1) for v in obj if isinstance(v, (dict, list)))
    return False


def _check(obj, raw_len: int, file: str, line: int, limits: Limits,
           brackets: int | None = None) -> dict:
    """The checks every record passes: a JSON object, within the size and nesting limits.
    `brackets` (count of '{' and '[' in the raw line) lets a shallow record skip the walk."""
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object per record, got {type(obj).__name__}", file, line)
    if raw_len > limits.max_record_bytes:
        raise InputError(f"record of {raw_len} bytes is over the limit of "
                         f"{limits.max_record_bytes} bytes", file, line,
                         hint="raise --max-record-bytes if this is expected")
    deep_enough = brackets is None or brackets > limits.max_depth
    if deep_enough and _depth(obj, limits.max_depth):
        raise InputError(f"record nests deeper than {limits.max_depth} levels", file, line,
                         hint="raise --max-depth if this is expected")
    return obj


def open_binary(path: Path):
    """Open a file, decompressing .gz; refuse a compressed file without its extension."""
    with open(path, "rb") as f:
        head = f.read(2)
    is_gz_name = path.suffix.lower() == ".gz"
    if head == GZIP_MAGIC and not is_gz_name:
        raise InputError("file is gzip-compressed but its name does not end in .gz", str(path), 1,
                         hint=f"rename it to {path.name}.gz")
    if is_gz_name and head != GZIP_MAGIC:
        raise InputError("file name ends in .gz but the file is not gzip-compressed", str(path), 1)
    return gzip.open(path, "rb") if is_gz_name else open(path, "rb")


def _decode(raw: bytes, file: str, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"invalid UTF-8 at byte {e.start} of the line", file, line) from None


def parse_line(raw: bytes, file: str, lineno: int, limits: Limits) -> dict:
    """One JSON Lines record: UTF-8, valid JSON, no duplicate keys, no NaN, within limits."""
    text = _decode(raw, file, lineno)
    try:
        obj = _decoder.decode(text)
    except ValueError as e:
        raise InputError(f"invalid JSON: {_json_reason(e)}", file, lineno) from None
    return _check(obj, len(raw), file, lineno, limits, raw.count(b"{") + raw.count(b"["))


def iter_lines(path: Path, start: int = 0, end: int | None = None,
               first_line: int = 1) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes) of a file or of a byte range of an uncompressed file."""
    if start == 0 and end is None:
        with open_binary(path) as f:
            yield from enumerate(f, first_line)
        return
    with open(path, "rb") as f:
        f.seek(start)
        lineno, pos = first_line, start
        for raw in f:
            if pos >= end:
                break
            yield lineno, raw
            lineno += 1
            pos += len(raw)


def read_jsonl(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    file = str(path)
    seen = False
    for lineno, raw in iter_lines(path):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen = True
        try:
            yield SourceRecord(parse_line(raw, file, lineno, limits), file, lineno)
        except InputError as err:
            quarantine.divert(err, raw.decode("utf-8", "replace"))
    if not seen:
        raise InputError("file is empty (no records)", file, 1)


def _json_reason(e: ValueError) -> str:
    msg = str(e)
    # json's messages carry "line 1 column 5 (char 4)"; keep the reason, the caller adds the line
    return msg.split(": line ")[0] if ": line " in msg else msg


def read_json_array(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    file = str(path)
    with open_binary(path) as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("invalid UTF-8", file, data.count(b"\n", 0, e.start) + 1) from None
    stripped = text.lstrip()
    if not stripped:
        raise InputError("file is empty (no records)", file, 1)
    if not stripped.startswith("["):
        # a .json file holding JSON Lines is common: read it as such
        yield from read_jsonl(path, limits, quarantine)
        return
    pos = text.index("[") + 1
    n = len(text)
    count = 0
    ws = " \t\r\n"
    while True:
        while pos < n and text[pos] in ws:
            pos += 1
        if pos < n and text[pos] == "]":
            break
        line = text.count("\n", 0, pos) + 1
        try:
            obj, end = _decoder.raw_decode(text, pos)
        except ValueError as e:
            raise InputError(f"invalid JSON: {_json_reason(e)}", file, line) from None
        count += 1
        yield SourceRecord(_check(obj, end - pos, file, line, limits), file, line)
        pos = end
        while pos < n and text[pos] in ws:
            pos += 1
        if pos < n and text[pos] == ",":
            pos += 1
        elif pos < n and text[pos] == "]":
            break
        else:
            raise InputError("invalid JSON array: expected ',' or ']'", file,
                             text.count("\n", 0, pos) + 1)
    if count == 0:
        raise InputError("file is empty (the JSON array holds no records)", file, 1)


def read_csv(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    file = str(path)
    with open_binary(path) as fb:
        raw = fb.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("invalid UTF-8", file, raw.count(b"\n", 0, e.start) + 1) from None
    if not text.strip():
        raise InputError("file is empty", file, 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as e:
        raise InputError(f"invalid CSV: {e}", file, 1) from None
    if len(set(header)) != len(header):
        raise InputError("CSV header repeats a column name", file, 1)
    count = 0
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise InputError(f"invalid CSV: {e}", file, reader.line_num) from None
        line = start
        start = reader.line_num + 1
        if not row:
            continue
        if len(row) != len(header):
            err = InputError(f"row has {len(row)} fields but the header has {len(header)}",
                             file, line)
            quarantine.divert(err, ",".join(row))
            continue
        count += 1
        rec = dict(zip(header, row))
        yield SourceRecord(_check(rec, sum(map(len, row)), file, line, limits), file, line)
    if count == 0 and quarantine.count == 0:
        raise InputError("CSV has a header but no rows", file, 1)


def read_parquet(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    import pyarrow.parquet as pq
    file = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as e:
        raise InputError(f"not a readable Parquet file ({e})", file, 1) from None
    row = 0
    for batch in pf.iter_batches(batch_size=4096):
        for rec in batch.to_pylist():
            row += 1
            for k, v in rec.items():
                if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
                    raise InputError(f"field {k!r} holds {v}, which JSON cannot represent",
                                     file, row)
            yield SourceRecord(_check(rec, 0, file, row, limits), file, row)
    if row == 0:
        raise InputError("Parquet file holds no rows", file, 1)


READERS: dict[str, Callable] = {
    ".jsonl": read_jsonl, ".ndjson": read_jsonl, ".json": read_json_array,
    ".csv": read_csv, ".parquet": read_parquet,
}


def read_file(path: Path, limits: Limits = Limits(),
              quarantine: Quarantine | None = None) -> Iterator[SourceRecord]:
    quarantine = quarantine or Quarantine()
    return READERS[data_suffix(path)](path, limits, quarantine)


class TypeDrift:
    """Catches a top-level field whose JSON type changes across records (null is compatible)."""

    def __init__(self):
        self.types: dict[str, tuple[str, str, int]] = {}

    def check(self, rec: SourceRecord) -> None:
        for key, value in rec.record.items():
            if value is None:
                continue
            t = _json_type(value)
            seen = self.types.get(key)
            if seen is None:
                self.types[key] = (t, rec.file, rec.line)
            elif seen[0] != t:
                raise InputError(f"field {key!r} is {t} here but was {seen[0]} at "
                                 f"{seen[1]}:{seen[2]}", rec.file, rec.line,
                                 hint="make the field's type consistent across records")

    def schema(self) -> dict[str, str]:
        return {k: v[0] for k, v in sorted(self.types.items())}


def _json_type(v) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):  # JSON has one number type
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"
