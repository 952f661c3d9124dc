"""`govern redact REF`: a thin adapter over govern.pii.redact.redact_snapshot."""
from __future__ import annotations

import click

from govern.cli.common import get_store, policy_option
from govern.cli.engine import engine_choice, engine_options


@click.command()
@click.argument("ref")
@click.option("--action", type=click.Choice(["mask", "replace", "pseudonymize", "drop-record"]),
              help="How findings are removed (default: [pii] redact_action).")
@click.option("--name", help="A unique name for the child snapshot.")
@click.option("--workers", type=int, help="Worker processes for the scan (default: all cores).")
@engine_options
@policy_option
@click.pass_context
def redact(ctx, ref, action, name, workers, engine, ray_address, policy_path):
    """Write a child snapshot of REF with PII and secrets removed; prints the child's id last.

    Every finding whose action is not `allow` is removed. Deterministic: the same snapshot
    and policy give the same child id.
    """
    from govern.pii.redact import redact_snapshot
    from govern.policy import load_policy
    from govern.snapshot import resolve
    store = get_store(ctx)
    policy = load_policy(policy_path)
    res = redact_snapshot(store, resolve(store, ref), policy, action, workers,
                          engine=engine_choice(policy, engine, ray_address), name=name)
    snap = res.snapshot
    extra = snap.manifest.get("extra", {}).get("redaction", {})
    click.echo(f"{'created' if res.created else 'already stored'}: {snap.count} records "
               f"({res.quarantined} dropped), action {extra.get('action', action)}, "
               f"parent {snap.manifest['parent'][:12]}")
    click.echo(snap.id)
