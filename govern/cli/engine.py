"""The `--engine local|ray` and `--ray-address` options the heavy commands share.

snapshot create, scan pii, scan leakage and redact take them; the choice resolves (command
line, then GOVERN_ENGINE / GOVERN_RAY_ADDRESS, then the policy's [engine] section) in
govern.engine.choose_engine, so Python callers get the same rules as the command line.
"""
from __future__ import annotations

import click

ENGINE_HELP = ("Where the work runs: local (process pool, default) or ray (Ray Data; needs "
               "pip install 'govern[ray]'). Default: GOVERN_ENGINE, then [engine] default.")
ADDRESS_HELP = ("Ray cluster to use with --engine ray (auto, HOST:6379 or ray://HOST:10001). "
                "Default: GOVERN_RAY_ADDRESS, then [engine] ray_address, else start a local one.")


def engine_options(command):
    """Add --engine and --ray-address to a command (parameters `engine`, `ray_address`)."""
    command = click.option("--ray-address", "ray_address", metavar="ADDRESS",
                           help=ADDRESS_HELP)(command)
    return click.option("--engine", type=click.Choice(["local", "ray"]), default=None,
                        help=ENGINE_HELP)(command)


def engine_choice(policy, engine: str | None, ray_address: str | None):
    """The govern.engine.Engine these options and the policy name."""
    from govern.engine import choose_engine
    return choose_engine(engine, ray_address, policy.section("engine"))
