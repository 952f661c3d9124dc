"""CLI end to end: golden add/list, scan leakage formats and exit codes, decontaminate."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govern.cli.main import cli
from tests.leakage.conftest import GOLDEN
from tests.leakage.test_scan import NEGATIVES, write_jsonl


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    store = str(tmp_path / ".govern")
    assert runner.invoke(cli, ["--store", store, "init"]).exit_code == 0
    write_jsonl(tmp_path / "golden.jsonl", [{"id": f"g{i}", "text": t} for i, t in enumerate(GOLDEN)])
    write_jsonl(tmp_path / "clean.jsonl", [{"id": i, "text": t} for i, t in enumerate(NEGATIVES)])
    write_jsonl(tmp_path / "leaky.jsonl", [{"id": i, "text": t} for i, t in enumerate(NEGATIVES)]
                + [{"id": 9, "text": "Hello there. " + GOLDEN[1].upper()}])

    def run(*args):
        return runner.invoke(cli, ["--store", store, *args])
    return run


def test_golden_add_and_list(env):
    res = env("golden", "add", "golden.jsonl", "--name", "eval")
    assert res.exit_code == 0, res.output
    gid = res.output.strip().splitlines()[-1]
    listed = json.loads(env("golden", "list", "--json").output)
    assert [(r["id"], r["name"], r["count"], r["kind"]) for r in listed] == \
        [(gid, "eval", 4, "golden")]


def test_clean_data_passes_and_leaky_data_fails(env):
    env("golden", "add", "golden.jsonl", "--name", "eval")
    clean = env("scan", "leakage", "clean.jsonl", "--golden", "eval", "--format", "json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.output)["leaked_records"] == 0
    leaky = env("scan", "leakage", "leaky.jsonl", "--golden", "eval", "--format", "jsonl")
    assert leaky.exit_code == 1
    [finding] = [json.loads(line) for line in leaky.stdout.splitlines() if line.startswith("{")]
    assert (finding["row"], finding["line"], finding["field"], finding["golden"]) == \
        (3, 4, "text", "g1")
    assert finding["method"] == "ngram13" and "semantic" in finding["methods"]
    assert "start" in finding and "end" in finding
    assert "Zephyr" not in leaky.output and "ZEPHYR" not in leaky.output  # no raw text


def test_golden_files_given_ad_hoc_and_sarif_out(env, tmp_path):
    res = env("scan", "leakage", "leaky.jsonl", "--golden", "golden.jsonl", "--methods",
              "exact,ngram8", "--format", "sarif", "--out", "leak.sarif")
    assert res.exit_code == 1
    doc = json.loads((tmp_path / "leak.sarif").read_text())
    [result] = doc["runs"][0]["results"]
    assert result["ruleId"] == "ngram8" and result["properties"]["golden"] == "g1"


def test_missing_field_exits_2_and_unknown_method_exits_2(env):
    env("golden", "add", "golden.jsonl", "--name", "eval")
    res = env("scan", "leakage", "leaky.jsonl", "--golden", "eval", "--field", "prompt",
              "--methods", "exact")
    assert res.exit_code == 2 and "could not be compared" in res.output
    res = env("scan", "leakage", "leaky.jsonl", "--golden", "eval", "--methods", "magic")
    assert res.exit_code == 2 and "unknown leakage method" in res.output


def test_decontaminate_writes_a_child_that_passes(env):
    env("golden", "add", "golden.jsonl", "--name", "eval")
    parent = env("snapshot", "create", "leaky.jsonl", "--name", "train").output.split()[-1]
    assert env("scan", "leakage", "train", "--golden", "eval").exit_code == 1
    res = env("golden", "decontaminate", "train", "--golden", "eval", "--name", "train-clean")
    assert res.exit_code == 0, res.output
    child = res.output.strip().splitlines()[-1]
    manifest = json.loads(env("snapshot", "show", child, "--json").output)
    assert manifest["parent"] == parent and manifest["count"] == 3
    assert manifest["extra"]["decontaminated"]["dropped"] == 1
    assert env("scan", "leakage", child, "--golden", "eval").exit_code == 0
