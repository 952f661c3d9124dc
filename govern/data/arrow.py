"""Parquet bytes to an Arrow table without handing Arrow a Python object.

Why: `pq.read_table(io.BytesIO(data))` wraps the bytes in a Python-backed file; Parquet's
pre-buffering (`ReadRangeCache`) then holds `PyBuffer`s in futures that Arrow's I/O thread
releases *after* `read_table` returns. When that release is late (a loaded machine) it runs
while the interpreter is finalizing: `~PyBuffer` calls `PyGILState_Ensure`, CPython makes the
thread exit (`pthread_exit`), the forced unwind meets a noexcept C++ destructor and libstdc++
aborts the process with "terminate called without an active exception" (exit 134) after the
command printed its result. Copying the bytes into Arrow-owned memory first means no native
thread ever needs the GIL, so nothing is left to race with interpreter exit.
"""
from __future__ import annotations


def table_from_bytes(data: bytes, columns: list[str] | None = None):
    """The Parquet table held in `data` (bytes already hashed by the caller), or those columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    sink = pa.BufferOutputStream()  # Arrow-allocated: no Python object behind the buffer
    sink.write(data)
    return pq.read_table(pa.BufferReader(sink.getvalue()), columns=columns, pre_buffer=False)
