"""What reaches a terminal or a CI log (issue 22 rows 11-13): a notice when no govern.toml is
found, names with control characters never printed raw, progress lines when stderr is a log."""
from __future__ import annotations

import json

ESC_NAME = "evil\x1b[2J\x1b]0;pwned\x07[red]x.jsonl"


def test_missing_policy_file_is_a_one_line_notice_on_stderr(govern):
    (govern.tmp_path / "govern.toml").unlink()
    data = govern.tmp_path / "d.jsonl"
    data.write_text('{"text": "a"}\n')
    res = govern("snapshot", "create", data, "--json")
    assert res.exit_code == 0
    notices = [line for line in res.stderr.splitlines() if "govern.toml" in line]
    assert len(notices) == 1 and notices[0].startswith("notice:"), res.stderr
    assert "notice" not in res.stdout
    json.loads(res.stdout)  # stdout stays machine-readable


def test_no_notice_when_the_policy_file_is_there(govern):
    data = govern.tmp_path / "d.jsonl"
    data.write_text('{"text": "a"}\n')
    res = govern("snapshot", "create", data)
    assert res.exit_code == 0 and "notice" not in res.stderr


def test_file_names_with_escapes_are_shown_escaped(govern, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # one table row per source, unwrapped
    data = govern.tmp_path / ESC_NAME
    data.write_text('{"text": "a"}\n')
    assert govern("snapshot", "create", data, "--name", "esc").exit_code == 0
    res = govern("snapshot", "show", "esc")
    assert res.exit_code == 0
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "\\x1b[2J" in res.output and "[red]x" in res.output
    bad = govern.tmp_path / ("bad\x1b[31m" + ".jsonl")
    bad.write_text("{not json}\n")
    res = govern("snapshot", "create", bad)
    assert res.exit_code == 2 and "\x1b" not in res.output and "\\x1b[31m" in res.output


def test_non_tty_progress_prints_lines_with_count_and_rate(govern, monkeypatch):
    monkeypatch.setenv("GOVERN_PROGRESS_SECONDS", "0")
    data = govern.tmp_path / "d.csv"
    data.write_text("text\n" + "".join(f"record {i}\n" for i in range(3000)))
    res = govern("snapshot", "create", data)
    assert res.exit_code == 0
    lines = [line for line in res.stderr.splitlines() if line.startswith("snapshotting: ")]
    assert lines and lines[-1].startswith("snapshotting: 3000 records"), res.stderr
    assert all("/s" in line for line in lines)
