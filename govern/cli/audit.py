"""`govern audit log|verify`: read and check the hash-chained audit ledger."""
from __future__ import annotations

import click

from govern.cli.common import echo_json, get_store, json_option, table
from govern.errors import IntegrityError


@click.group()
def audit():
    """The store's append-only, hash-chained audit ledger."""


@audit.command("log")
@click.option("-n", "--limit", type=int, default=50, show_default=True, help="Newest N entries.")
@json_option
@click.pass_context
def log(ctx, limit: int, as_json: bool):
    """Show who changed the store, when, with which inputs and outputs (by digest)."""
    from govern.store import ledger
    store = get_store(ctx)
    rows = ledger.entries(store.db)[-limit:]
    if as_json:
        echo_json([{k: v for k, v in r.items() if k != "_rowseq"} for r in rows])
        return
    table("audit ledger", ["seq", "time", "actor", "command", "outputs"],
          [[r["seq"], r["time"], r["actor"], r["command"],
            ", ".join(f"{k}={str(v)[:12]}" for k, v in r["outputs"].items())] for r in rows])


@audit.command("verify")
@click.pass_context
def verify(ctx):
    """Re-check the hash chain, its signed head and the heads recorded in results and
    attestations; exit 3 if any entry was altered, removed or reordered, or the ledger cut."""
    from govern.store.check import ledger_crosscheck
    store = get_store(ctx)
    problems = store.ledger_problems() + ledger_crosscheck(store)
    if problems:
        for p in problems:
            click.echo(p, err=True)
        raise IntegrityError(f"audit ledger is broken ({len(problems)} problem(s))")
    n = store.db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
    click.echo(f"audit ledger intact: {n} entries")
