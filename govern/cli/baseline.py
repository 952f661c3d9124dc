"""`govern baseline ...`: accept findings into the baseline file, list its entries."""
from __future__ import annotations

import click

from govern.cli.common import get_store, json_option, listing, policy_option


@click.group()
def baseline():
    """Accepted findings (by fingerprint, with reason, approver and expiry)."""


@baseline.command("accept")
@click.argument("target", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why these findings are acceptable.")
@click.option("--approver", required=True, help="Who accepts them.")
@click.option("--expires", required=True, help="Expiry date YYYY-MM-DD; expired entries fail again.")
@click.option("--type", "types", multiple=True, help="Accept only findings of this type (repeatable).")
@click.option("--fingerprint", "fingerprints", multiple=True,
              help="Accept only this fingerprint (repeatable).")
@policy_option
@click.pass_context
def accept(ctx, target, reason, approver, expires, types, fingerprints, policy_path):
    """Scan TARGET and record its current findings in the baseline file."""
    from govern.pii.baseline import accept_findings
    from govern.policy import load_policy
    store = get_store(ctx)
    changed, path = accept_findings(store, list(target), load_policy(policy_path), reason,
                                    approver, expires, list(types), list(fingerprints))
    click.echo(f"{changed} entr{'y' if changed == 1 else 'ies'} added or renewed in {path}")


@baseline.command("list")
@policy_option
@json_option
def list_(policy_path, as_json):
    """Show the baseline's entries and whether each has expired."""
    import datetime as dt
    from govern.pii.baseline import baseline_path, load_baseline
    from govern.policy import load_policy
    b = load_baseline(baseline_path(load_policy(policy_path)))
    today = dt.date.today()
    rows = [{**e, "state": b.status(fp, today)} for fp, e in sorted(b.entries.items())]
    listing(rows, as_json, f"baseline {b.path}",
            ["fingerprint", "type", "mask", "reason", "approver", "expires", "state"],
            lambda r: [r["fingerprint"][12:28], r["type"], r.get("mask"), r["reason"],
                       r["approver"], r["expires"], r["state"]])
