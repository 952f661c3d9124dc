"""Report fixtures: one store per session built with the real commands on a slice of the bundled
support-ticket sample (planted PII, an AWS-style key, a golden leak)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "support_tickets.jsonl"
GOLDEN = ROOT / "evals" / "golden" / "support_tickets.jsonl"


class Chain:
    """A store and working folder; `run` invokes the CLI there with --store."""

    def __init__(self, root: Path):
        self.root = root
        self.store_path = root / ".govern"
        self.runner = CliRunner()

    def run(self, *args, expect: int | tuple = 0):
        from govern.cli.main import cli
        old = os.getcwd()
        os.chdir(self.root)
        try:
            res = self.runner.invoke(cli, ["--store", str(self.store_path), *map(str, args)],
                                     catch_exceptions=False)
        finally:
            os.chdir(old)
        codes = expect if isinstance(expect, tuple) else (expect,)
        assert res.exit_code in codes, (args, res.exit_code, res.output)
        return res

    def store(self):
        from govern.store import open_store
        return open_store(self.store_path)

    def policy(self):
        from govern.policy import load_policy
        return load_policy(self.root / "govern.toml")


def edit_policy(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert re.search(old, text, flags=re.M), old
    path.write_text(re.sub(old, new, text, count=1, flags=re.M))


@pytest.fixture(scope="session")
def chain(tmp_path_factory) -> Chain:
    """tickets (70 sample rows) scanned, validated and gated; a redacted child; a report."""
    c = Chain(tmp_path_factory.mktemp("chain"))
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()[:70]
    (c.root / "tickets.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    c.run("init")
    pol = c.root / "govern.toml"
    edit_policy(pol, r"^golden = \[\]", 'golden = ["support-golden"]')
    edit_policy(pol, r'^methods = \[.*\]', 'methods = ["exact", "ngram13", "ngram8"]')
    c.run("snapshot", "create", "tickets.jsonl", "--name", "tickets")
    c.run("golden", "add", GOLDEN, "--name", "support-golden")
    c.run("scan", "pii", "tickets", "--workers", "1", expect=1)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    c.run("baseline", "accept", "tickets", "--type", "LOCATION", "--reason",
          "city names in delivery requests", "--approver", "DPO", "--expires", "2099-12-31")
    c.run("baseline", "accept", "tickets", "--type", "PERSON", "--reason", "agent signature",
          "--approver", "DPO", "--expires", tomorrow)
    c.run("scan", "pii", "tickets", "--workers", "1", expect=1)
    c.run("scan", "leakage", "tickets", "--workers", "1", expect=1)
    c.run("validate", "tickets")
    c.run("gate", "tickets", expect=1)
    c.child = c.run("redact", "tickets", "--workers", "1").output.strip().splitlines()[-1]
    res = c.run("report", "compliance", "tickets", "--out", "reports", "--json")
    c.files = {k: Path(v) if Path(v).is_absolute() else c.root / v
               for k, v in json.loads(res.output)["files"].items()}
    return c


@pytest.fixture
def report_json(chain) -> dict:
    return json.loads(chain.files["json"].read_text(encoding="utf-8"))


@pytest.fixture
def store_copy(chain, tmp_path):
    """A private copy of the session store (for tests that tamper with it)."""
    dst = tmp_path / "work"
    shutil.copytree(chain.root, dst, ignore=shutil.ignore_patterns("reports"))
    for p in (dst / ".govern" / "objects").rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    copy = Chain(dst)
    return copy
