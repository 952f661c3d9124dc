"""Readers for JSONL, JSON arrays, CSV and Parquet (optionally gzipped).

Every record comes out with its source file and 1-based line (or row for Parquet). Malformed
input raises InputError naming file and line; nothing is silently dropped or coerced. With a
quarantine sink, bad lines are diverted there instead and counted.

Memory stays bounded on hostile input: files are read in blocks, a line is refused as soon as
it grows past max_record_bytes (never after reading it whole), runs of blank lines are skipped
at C speed, and gzip input may expand at most `max_expansion` times its compressed size.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from govern.data.sources import data_suffix
from govern.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
BLOCK = 1 << 20
EXPANSION_FLOOR = 64 * 1024 * 1024  # any gzip may expand this far, whatever its ratio


@dataclass(frozen=True)
class Limits:
    max_record_bytes: int = 10 * 1024 * 1024
    max_depth: int = 32
    max_expansion: int = 200  # decompressed bytes per compressed byte, past EXPANSION_FLOOR


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


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:40]} is out of range (it would become Infinity)")
    return value


_decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant,
                            parse_float=_finite)


def _depth(obj, limit: int) -> bool:
    """True when obj nests deeper than limit (walked with a stack, not recursion)."""
    stack = [(obj, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((v, level + 1) for v in children if isinstance(v, (dict, list)))
    return False


def _decode_json(text: str, file: str, line: int, limits: Limits, pos: int | None = None):
    """json's decode (or raw_decode at pos) with its errors as InputError at file:line."""
    try:
        return _decoder.decode(text) if pos is None else _decoder.raw_decode(text, pos)
    except RecursionError:
        raise InputError(f"record nests deeper than {limits.max_depth} levels", file, line,
                         hint="raise --max-depth if this is expected") from None
    except ValueError as e:
        raise InputError(f"invalid JSON: {_json_reason(e)}", file, line) from None


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


class _Gunzip(io.RawIOBase):
    """A gzip stream that stops at an expansion limit and names the file when it is broken.
    `where()` (set by the reader) gives the line being read, for the message."""

    def __init__(self, path: Path, limits: Limits):
        self.file, self.raw = str(path), gzip.open(path, "rb")
        self.allowed = max(EXPANSION_FLOOR, limits.max_expansion * os.path.getsize(path))
        self.ratio, self.total = limits.max_expansion, 0
        self.where = lambda: None

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            n = self.raw.readinto(b)
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as e:
            raise InputError(f"gzip data is truncated or corrupt ({e})", self.file,
                             self.where()) from None
        self.total += n
        if self.total > self.allowed:
            raise InputError(f"gzip data expands past {self.allowed} bytes (over {self.ratio}x "
                             f"its compressed size): refused as a decompression bomb",
                             self.file, self.where())
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_binary(path: Path, limits: Limits = Limits()):
    """Open a file, decompressing .gz within limits; refuse a compressed file without its
    extension."""
    with open(path, "rb") as f:
        head = f.read(2)
    is_gz_name = path.suffix.lower() == ".gz"
    if head == GZIP_MAGIC and not is_gz_name:
        raise InputError("file is gzip-compressed but its name does not end in .gz", str(path), 1,
                         hint=f"rename it to {path.name}.gz")
    if is_gz_name and head != GZIP_MAGIC:
        raise InputError("file name ends in .gz but the file is not gzip-compressed", str(path), 1)
    return io.BufferedReader(_Gunzip(path, limits), BLOCK) if is_gz_name else open(path, "rb")


def bounded_lines(f, file: str, limit: int, first_line: int = 1,
                  end: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes without the newline) of the non-blank lines of a binary
    stream, read in blocks: a line is refused once it passes `limit` bytes, before it is read
    whole. `end`: stop after that many bytes."""
    lineno, left, pending = first_line, end, b""
    _track(f, lambda: lineno)
    too_long = "line is over the limit of %d bytes" % limit
    hint = "raise --max-record-bytes if this is expected"
    while left is None or left > 0:
        block = f.read(BLOCK if left is None else min(BLOCK, left))
        if not block:
            break
        if left is not None:
            left -= len(block)
        if not block.strip() and not pending.strip():  # a flood of blank lines: no loop
            nl = block.count(b"\n")
            lineno += nl
            pending = block[block.rfind(b"\n") + 1:] if nl else pending + block
            if len(pending) > limit:
                raise InputError(too_long, file, lineno, hint=hint)
            continue
        parts = block.split(b"\n")
        if pending:
            parts[0] = pending + parts[0]
        pending = parts.pop()  # the line still open at the end of the block
        for part in parts:
            if len(part) > limit and len(part.rstrip(b"\r")) > limit:
                raise InputError(too_long, file, lineno, hint=hint)
            if part.strip():
                yield lineno, part
            lineno += 1
        if len(pending) > limit:
            raise InputError(too_long, file, lineno, hint=hint)
    if pending.strip():
        yield lineno, pending


def _decode(raw: bytes, file: str, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"invalid UTF-8 at byte {e.start} of the line", file, line) from None


def parse_line(raw: bytes, file: str, lineno: int, limits: Limits) -> dict:
    """One JSON Lines record: UTF-8, valid JSON, no duplicate keys, no NaN or out-of-range
    number, within limits."""
    if len(raw) > limits.max_record_bytes:
        raise InputError(f"line is over the limit of {limits.max_record_bytes} bytes", file,
                         lineno, hint="raise --max-record-bytes if this is expected")
    obj = _decode_json(_decode(raw, file, lineno), file, lineno, limits)
    return _check(obj, len(raw), file, lineno, limits, raw.count(b"{") + raw.count(b"["))


def iter_lines(path: Path, start: int = 0, end: int | None = None, first_line: int = 1,
               limits: Limits = Limits()) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes) of the non-blank lines of a file or of a byte range of
    an uncompressed file."""
    file = str(path)
    if start == 0 and end is None:
        with open_binary(path, limits) as f:
            yield from bounded_lines(f, file, limits.max_record_bytes, first_line)
        return
    with open(path, "rb") as f:
        f.seek(start)
        yield from bounded_lines(f, file, limits.max_record_bytes, first_line, end - start)


def read_jsonl(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    file = str(path)
    seen = False
    for lineno, raw in iter_lines(path, limits=limits):
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


class _TextWindow:
    """Decoded text of a stream, held only from the record being parsed on: grows a block at a
    time, never past the record limit. Line numbers advance with a cursor (pos only grows)."""

    def __init__(self, f, file: str, limits: Limits):
        import codecs
        self.f, self.file, self.limits = f, file, limits
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text, self.pos, self.eof = "", 0, False
        self.cursor, self.cursor_line = 0, 1
        _track(f, lambda: self.line_at(len(self.text)))

    def line_at(self, pos: int) -> int:
        if pos >= self.cursor:
            self.cursor_line += self.text.count("\n", self.cursor, pos)
            self.cursor = pos
            return self.cursor_line
        return self.cursor_line - self.text.count("\n", pos, self.cursor)

    def more(self) -> bool:
        """Read a block, first dropping text before pos; False at the end of the stream."""
        if self.eof:
            return False
        self.line_at(self.pos)
        self.text, self.cursor, self.pos = self.text[self.pos:], 0, 0
        block = self.f.read(BLOCK)
        self.eof = not block
        try:
            self.text += self.decoder.decode(block, final=self.eof)
        except UnicodeDecodeError:
            raise InputError("invalid UTF-8", self.file, self.line_at(len(self.text))) from None
        return not self.eof

    def skip_ws(self) -> str:
        """The next non-blank character ('' at the end), reading on as needed."""
        while True:
            self.pos = _WS.match(self.text, self.pos).end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more() and self.pos >= len(self.text):
                return ""

    def value(self):
        """(the JSON value at pos, its end); reads on while it is incomplete, up to the limit."""
        while True:
            try:
                obj, end = _decoder.raw_decode(self.text, self.pos)
                if end < len(self.text) or self.eof:
                    return obj, end
            except RecursionError:
                raise InputError(f"record nests deeper than {self.limits.max_depth} levels",
                                 self.file, self.line_at(self.pos),
                                 hint="raise --max-depth if this is expected") from None
            except ValueError as e:
                if self.eof:
                    raise InputError(f"invalid JSON: {_json_reason(e)}", self.file,
                                     self.line_at(max(getattr(e, "pos", 0), self.pos))) from None
            if len(self.text) - self.pos > self.limits.max_record_bytes:
                raise InputError(f"record is over the limit of {self.limits.max_record_bytes} "
                                 "bytes", self.file, self.line_at(self.pos),
                                 hint="raise --max-record-bytes if this is expected")
            self.more()


def _track(f, where) -> None:
    """Let a gzip stream's errors name the line being read."""
    if isinstance(getattr(f, "raw", None), _Gunzip):
        f.raw.where = where


_WS = re.compile(r"[ \t\r\n]*")


def read_json_array(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    """A JSON array of objects, parsed element by element from a stream (bounded memory);
    a .json file holding JSON Lines is read as JSON Lines."""
    file = str(path)
    with open_binary(path, limits) as f:
        w = _TextWindow(f, file, limits)
        first = w.skip_ws()
        if not first:
            raise InputError("file is empty (no records)", file, 1)
        if first != "[":
            f.close()
            yield from read_jsonl(path, limits, quarantine)
            return
        w.pos += 1
        count = 0
        while True:
            ch = w.skip_ws()
            if ch == "]":
                break
            if not ch:
                raise InputError("invalid JSON array: it never ends with ']'", file, w.line_at(w.pos))
            line = w.line_at(w.pos)
            obj, end = w.value()
            count += 1
            yield SourceRecord(_check(obj, end - w.pos, file, line, limits), file, line)
            w.pos = end
            ch = w.skip_ws()
            if ch == ",":
                w.pos += 1
            elif ch != "]":
                raise InputError("invalid JSON array: expected ',' or ']'", file,
                                 w.line_at(w.pos))
    if count == 0:
        raise InputError("file is empty (the JSON array holds no records)", file, 1)


def read_csv(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    """CSV with a header row, streamed; a field may be as long as max_record_bytes."""
    file = str(path)
    csv.field_size_limit(max(limits.max_record_bytes, 131072))
    with open_binary(path, limits) as fb:
        text = io.TextIOWrapper(fb, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, strict=True)
        _track(fb, lambda: reader.line_num + 1)
        count = 0
        try:
            header = next(reader, None)
            if header is None:
                raise InputError("file is empty", file, 1)
            if len(set(header)) != len(header):
                raise InputError("CSV header repeats a column name", file, 1)
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not row:
                    continue
                if len(row) != len(header):
                    err = InputError(f"row has {len(row)} fields but the header has "
                                     f"{len(header)}", file, line)
                    quarantine.divert(err, ",".join(row))
                    continue
                count += 1
                rec = dict(zip(header, row))
                yield SourceRecord(_check(rec, sum(map(len, row)), file, line, limits), file, line)
        except csv.Error as e:
            raise InputError(f"invalid CSV: {e}", file, reader.line_num or 1) from None
        except UnicodeDecodeError:
            raise InputError("invalid UTF-8", file, reader.line_num + 1) from None
    if count == 0 and quarantine.count == 0:
        raise InputError("CSV has a header but no rows", file, 1)


def _parquet_type_ok(t) -> bool:
    """Types that map to JSON without guessing: null, bool, numbers, strings, lists, structs."""
    import pyarrow.types as pt
    if pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t):
        return _parquet_type_ok(t.value_type)
    if pt.is_struct(t):
        return all(_parquet_type_ok(t.field(i).type) for i in range(t.num_fields))
    if pt.is_dictionary(t):
        return _parquet_type_ok(t.value_type)
    return (pt.is_null(t) or pt.is_boolean(t) or pt.is_integer(t) or pt.is_floating(t)
            or pt.is_string(t) or pt.is_large_string(t))


def read_parquet(path: Path, limits: Limits, quarantine: Quarantine) -> Iterator[SourceRecord]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    file = str(path)
    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
    except Exception as e:
        raise InputError(f"not a readable Parquet file ({type(e).__name__})", file, 1) from None
    seen: set[str] = set()
    for f in schema:
        if f.name in seen:
            raise InputError(f"Parquet file repeats the column name {f.name!r}", file, 1,
                             hint="rename one of the columns; govern never drops a column")
        seen.add(f.name)
        if not _parquet_type_ok(f.type):
            raise InputError(f"column {f.name!r} has type {f.type}, which has no JSON form",
                             file, 1, hint="convert it to string, number, boolean, list or "
                                           "struct before snapshotting")
    row = 0
    batches = pf.iter_batches(batch_size=4096)
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as e:
            raise InputError(f"Parquet data cannot be read ({type(e).__name__})", file,
                             row + 1) from None
        if batch is None:
            break
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
