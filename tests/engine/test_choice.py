"""Choosing the engine: command line over environment over policy over local; the [engine]
policy section; a missing Ray install exits 2 with the install hint; --help never imports ray.
These tests start no Ray cluster."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from govern.engine import Engine, choose_engine
from govern.errors import ScanError, UsageError
from tests.engine.conftest import TICKETS


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv("GOVERN_ENGINE", raising=False)
    monkeypatch.delenv("GOVERN_RAY_ADDRESS", raising=False)


@pytest.mark.parametrize("name, address, env, section, expected", [
    (None, None, {}, {}, Engine("local")),
    (None, None, {}, {"default": "ray", "batch_size": 8}, Engine("ray", None, 8)),
    (None, None, {"GOVERN_ENGINE": "local"}, {"default": "ray"}, Engine("local")),
    ("ray", None, {"GOVERN_ENGINE": "local"}, {}, Engine("ray")),
    ("local", None, {"GOVERN_ENGINE": "ray"}, {"ray_address": "auto"}, Engine("local")),
    (None, "head:6379", {}, {}, Engine("ray", "head:6379")),
    ("ray", None, {"GOVERN_RAY_ADDRESS": "env:1"}, {"ray_address": "pol:2"},
     Engine("ray", "env:1")),
    ("ray", None, {}, {"ray_address": "pol:2"}, Engine("ray", "pol:2")),
    ("ray", "cli:3", {"GOVERN_RAY_ADDRESS": "env:1"}, {}, Engine("ray", "cli:3")),
])
def test_precedence(monkeypatch, name, address, env, section, expected):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert choose_engine(name, address, section) == expected


def test_an_address_with_the_local_engine_is_a_usage_error():
    with pytest.raises(UsageError, match="Ray address was given with the local engine"):
        choose_engine("local", "head:6379")


def test_unknown_engine_from_the_environment_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("GOVERN_ENGINE", "spark")
    with pytest.raises(UsageError, match="unknown engine 'spark'"):
        choose_engine()


def test_policy_section_is_validated(govern):
    (govern.tmp_path / "govern.toml").write_text('version = 1\n[engine]\ndefault = "spark"\n')
    res = govern("policy", "check")
    assert res.exit_code == 2 and "engine.default" in res.output
    (govern.tmp_path / "govern.toml").write_text('version = 1\n[engine]\nbatch_sise = 3\n')
    res = govern("policy", "check")
    assert res.exit_code == 2 and "did you mean 'batch_size'" in res.output


@pytest.mark.parametrize("command", [
    ["snapshot", "create", str(TICKETS), "--engine", "ray"],
    ["snapshot", "create", str(TICKETS), "--ray-address", "auto"],
    ["scan", "pii", str(TICKETS), "--engine", "ray"],
    ["scan", "leakage", str(TICKETS), "--golden", str(TICKETS), "--methods", "exact",
     "--no-self-test", "--engine", "ray"],
])
def test_missing_ray_exits_2_with_the_install_hint(govern, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    res = govern(*command)
    assert res.exit_code == 2, res.output
    assert "error: Ray is not installed" in res.output
    assert "hint: pip install 'govern[ray]'" in res.output


def test_policy_default_chooses_ray_and_the_environment_overrides_it(govern, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    path = govern.tmp_path / "govern.toml"  # `govern init` wrote the [engine] section
    text = path.read_text()
    assert text.count("[engine]") == 1
    head, tail = text.split("[engine]")
    path.write_text(head + "[engine]" + tail.replace('default = "local"', 'default = "ray"', 1))
    res = govern("snapshot", "create", TICKETS)
    assert res.exit_code == 2 and "Ray is not installed" in res.output
    monkeypatch.setenv("GOVERN_ENGINE", "local")
    res = govern("snapshot", "create", TICKETS)
    assert res.exit_code == 0, res.output


def test_help_never_imports_ray():
    code = ("import sys\nfrom click.testing import CliRunner\nfrom govern.cli.main import cli\n"
            "for args in (['--help'], ['snapshot', 'create', '--help'], ['scan', 'pii', '--help'],"
            " ['scan', 'leakage', '--help'], ['redact', '--help']):\n"
            "    assert CliRunner().invoke(cli, args).exit_code == 0, args\n"
            "assert 'ray' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_address_nobody_answers_on_fails_fast():
    from govern.engine.ray import check_reachable
    with pytest.raises(ScanError, match="no Ray cluster answers at 127.0.0.1:"):
        check_reachable(f"127.0.0.1:{_closed_port()}", timeout=2)
    with pytest.raises(ScanError):
        check_reachable(f"ray://127.0.0.1:{_closed_port()}", timeout=2)
    with pytest.raises(UsageError, match="is not HOST:PORT"):
        check_reachable("head-node")


def test_cli_with_an_unreachable_cluster_exits_2(tmp_path):
    """In a child process: this test session may already hold a Ray cluster."""
    code = ("import sys\nfrom govern.cli.main import main\nsys.argv = ['govern'] + sys.argv[1:]\n"
            "main()\n")
    govern = [sys.executable, "-c", code, "--store", str(tmp_path / ".govern")]
    subprocess.run(govern + ["init"], cwd=tmp_path, check=True, capture_output=True)
    res = subprocess.run(govern + ["snapshot", "create", str(TICKETS), "--ray-address",
                                   f"127.0.0.1:{_closed_port()}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert "error: no Ray cluster answers at 127.0.0.1:" in res.stderr
