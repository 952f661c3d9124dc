"""`govern init`: create the store (keys included) and a commented govern.toml."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import store_path


@click.command()
@click.option("--policy", "policy_path", type=click.Path(path_type=Path), default="govern.toml",
              show_default=True, help="Where to write the policy file (kept if it exists).")
@click.pass_context
def init(ctx: click.Context, policy_path: Path):
    """Create the store and a commented policy file (version 1).

    Safe to run again: an existing store, its keys and an existing policy are kept.
    """
    from govern.policy.load import template_text
    from govern.store import init_store
    store, created = init_store(store_path(ctx))
    click.echo(f"{'created' if created else 'kept existing'} store at {store.root}")
    if policy_path.exists():
        click.echo(f"kept existing policy {policy_path}")
    else:
        policy_path.write_text(template_text(), encoding="utf-8")
        store.audit("init policy", {}, {"policy": str(policy_path)})
        click.echo(f"wrote policy {policy_path}")
