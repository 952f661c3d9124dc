"""The CLI root: fast --help with no heavy imports, version, init and policy errors."""
from __future__ import annotations

import subprocess
import sys

import govern as pkg

HEAVY = ["torch", "transformers", "presidio_analyzer", "spacy", "great_expectations",
         "sentence_transformers", "ray", "pyarrow", "datasets", "peft"]


def test_help_imports_no_heavy_library():
    code = ("import sys; from govern.cli.main import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_listed_command_has_help(govern):
    res = govern("--help")
    assert res.exit_code == 0
    for name in ("init", "snapshot", "verify", "audit", "policy"):
        assert name in res.output
    assert govern("--version").output.strip().endswith(pkg.__version__)


def test_command_without_store_says_to_init(tmp_path):
    from click.testing import CliRunner
    from govern.cli.main import cli
    res = CliRunner().invoke(cli, ["--store", str(tmp_path / "none"), "snapshot", "list"])
    assert res.exit_code == 2
    assert "govern init" in res.output


def test_unknown_policy_key_names_file_line_and_hint(govern):
    pol = govern.tmp_path / "govern.toml"
    pol.write_text(pol.read_text().replace("max_depth = 32", "max_dept = 32"))
    res = govern("policy", "check")
    assert res.exit_code == 2
    line = next(i for i, l in enumerate(pol.read_text().splitlines(), 1) if "max_dept" in l)
    assert f"govern.toml:{line}:" in res.output
    assert "ingest.max_dept" in res.output and "max_depth" in res.output


def test_wrong_type_in_policy_is_exit_2(govern):
    pol = govern.tmp_path / "govern.toml"
    pol.write_text(pol.read_text().replace("max_depth = 32", 'max_depth = "deep"'))
    res = govern("policy", "check")
    assert res.exit_code == 2 and "max_depth" in res.output


def test_init_policy_is_valid_and_effective_policy_printed(govern):
    res = govern("policy", "check", "--json")
    assert res.exit_code == 0
    assert '"max_record_bytes": 10485760' in res.output
