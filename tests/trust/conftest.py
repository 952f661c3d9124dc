"""A store attacked as issue 21 describes: snapshot A (gate passed), P (PII, gate failed) and
B (gate passed), built once through the CLI and copied for each test, which then edits it
with sqlite3 and plain file writes as an attacker with write access to `.govern/` would."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Govern
from tests.train.conftest import tiny_llama, train_toml  # noqa: F401  (row 6 trains twice)

ROOT = Path(__file__).resolve().parents[2]


def rows(tag: str, n: int = 12, extra: str = "") -> list[dict]:
    return [{"id": f"{tag}{i}", "text": f"parcel {tag} {i} arrived late again{extra}",
             "label": "shipping"} for i in range(n)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


class Trust(Govern):
    """The copied store, its snapshot ids, sqlite access and a subprocess runner."""

    def __init__(self, tmp_path, ids):
        super().__init__(tmp_path)
        self.ids = ids

    def sql(self, query: str, args=()) -> list:
        db = sqlite3.connect(self.store / "catalog.sqlite", isolation_level=None)
        try:
            return db.execute(query, args).fetchall()
        finally:
            db.close()

    def object_path(self, digest: str) -> Path:
        return self.store / "objects" / digest[:2] / digest[2:]

    def result_digest(self, kind: str, subject: str) -> str:
        return self.sql("SELECT digest FROM results WHERE kind=? AND subject=?",
                        (kind, subject))[0][0]

    def shard(self, sid: str) -> Path:
        manifest = self.sql("SELECT manifest FROM snapshots WHERE id=?", (sid,))[0][0]
        m = json.loads(self.object_path(manifest).read_bytes())
        return self.object_path(m["shards"][0]["digest"])

    def sub(self, *args, timeout: int = 300) -> subprocess.CompletedProcess:
        """`govern --store ... ARGS` in a separate process (the issue's repro as typed)."""
        return subprocess.run(self.command(*args), cwd=self.tmp_path, capture_output=True,
                              text=True, timeout=timeout, env=self.env())

    def command(self, *args) -> list[str]:
        return [sys.executable, "-c", "from govern.cli.main import main; main()",
                "--store", str(self.store), *map(str, args)]

    def env(self) -> dict:
        return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1"}


@pytest.fixture(scope="session")
def trust_template(tmp_path_factory):
    """init; policy requiring pii, secrets, min_records; A and B pass the gate, P fails it."""
    root = tmp_path_factory.mktemp("trust-template")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        g = Govern(root)
        assert g("init").exit_code == 0
        pol = root / "govern.toml"
        text = pol.read_text()
        old = 'require = ["pii", "secrets", "leakage", "validation", "min_records"]'
        assert old in text
        pol.write_text(text.replace(old, 'require = ["pii", "secrets", "min_records"]', 1))
        ids = {}
        pii = ". Write to john.smith@example.com or call +1 212-555-0199"
        for name, recs in (("A", rows("a")), ("P", rows("p", extra=pii)), ("B", rows("b"))):
            res = g("snapshot", "create", write_jsonl(root / f"{name}.jsonl", recs), "--name", name)
            assert res.exit_code == 0, res.output
            ids[name] = res.output.strip().splitlines()[-1]
        for name, code in (("A", 0), ("P", 1), ("B", 0)):
            res = g("gate", name, "--run")
            assert res.exit_code == code, res.output
    finally:
        os.chdir(cwd)
    return root, ids


@pytest.fixture
def trust(trust_template, tmp_path, monkeypatch):
    src, ids = trust_template
    dst = tmp_path / "w"
    shutil.copytree(src, dst)
    monkeypatch.chdir(dst)
    return Trust(dst, ids)
