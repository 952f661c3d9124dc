"""Exit codes never flake: read-only commands run many times, in parallel, while busy loops
load every CPU; each must exit with its expected code and never abort at interpreter exit
(issue 22 row 1: "terminate called without an active exception", exit 134, after a Parquet read
that left a Python-backed buffer for Arrow's I/O thread to release during finalization)."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "support_tickets.jsonl"
RUNS = 24


def _govern(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GOVERN_STORE": str(tmp / ".govern")}
    return subprocess.run([sys.executable, "-c", "from govern.cli.main import main; main()", *args],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def busy_cpus():
    """One busy loop per CPU (at least two) for the length of the test."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
             for _ in range(max(2, os.cpu_count() or 2))]
    yield
    for p in loops:
        p.kill()
        p.wait()


def test_read_only_commands_exit_codes_never_flake_under_load(tmp_path, busy_cpus):
    assert _govern(tmp_path, "init").returncode == 0
    made = _govern(tmp_path, "snapshot", "create", str(EXAMPLE), "--name", "demo")
    assert made.returncode == 0, made.stderr
    commands = [("verify", "--all"), ("snapshot", "diff", "demo", "demo"),
                ("snapshot", "show", "demo"), ("snapshot", "show", "no-such-snapshot")]
    expected = {c: 2 if "no-such-snapshot" in c else 0 for c in commands}
    jobs = [commands[i % len(commands)] for i in range(RUNS)]
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda c: (c, _govern(tmp_path, *c)), jobs))
    wrong = [(" ".join(c), r.returncode, r.stderr[-200:]) for c, r in results
             if r.returncode != expected[c] or "terminate called" in r.stderr]
    assert not wrong, wrong
