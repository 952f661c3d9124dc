"""Fixtures shared by every test folder: a CLI runner on a fresh store in tmp_path."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# progress lines go to stderr, which CliRunner mixes into .output: a slow command on a busy CI
# machine must not put one in front of the JSON a test parses (the progress test sets its own)
os.environ.setdefault("GOVERN_PROGRESS_SECONDS", "3600")


class Govern:
    """Runs `govern --store <tmp>/.govern ...` in-process and returns the click Result."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.store = tmp_path / ".govern"
        self.runner = CliRunner()

    def __call__(self, *args, input=None):
        from govern.cli.main import cli
        return self.runner.invoke(cli, ["--store", str(self.store), *map(str, args)],
                                  input=input, catch_exceptions=False)


@pytest.fixture
def govern(tmp_path, monkeypatch):
    """A fresh store and policy in tmp_path (the working directory during the test)."""
    monkeypatch.chdir(tmp_path)
    g = Govern(tmp_path)
    res = g("init")
    assert res.exit_code == 0, res.output
    return g
