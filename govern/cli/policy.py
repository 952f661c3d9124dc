"""`govern policy check`: validate govern.toml and print the effective policy."""
from __future__ import annotations

import click

from govern.cli.common import echo_json, json_option, policy_option


@click.group()
def policy():
    """Inspect the policy file (govern.toml)."""


@policy.command("check")
@policy_option
@json_option
def check(policy_path, as_json: bool):
    """Validate the policy and print it with every default filled in (exit 2 when invalid)."""
    from govern.policy import load_policy
    pol = load_policy(policy_path, required=True)
    if as_json:
        echo_json({"path": str(pol.path), "digest": pol.digest, "policy": pol.data})
        return
    click.echo(f"# {pol.path}: valid (policy digest {pol.digest[:16]})")
    click.echo(_toml(pol.data))


def _toml(data: dict, prefix: str = "") -> str:
    """Render the effective policy as TOML-like text for people."""
    import json
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    lines = [f"{k} = {json.dumps(v)}" for k, v in scalars.items()]
    for k, v in tables.items():
        name = f"{prefix}.{k}" if prefix else k
        lines.append(f"\n[{name}]")
        lines.append(_toml(v, name))
    return "\n".join(line for line in lines if line)
