"""`govern golden ...`: golden sets as versioned snapshots, and decontaminating training data."""
from __future__ import annotations

import click

from govern.cli.common import (echo_json, get_store, json_option, listing, policy_option,
                               progress)


@click.group()
def golden():
    """Golden (evaluation) sets: register, list, and cut leaked records out of training data."""


@golden.command("add")
@click.argument("paths", nargs=-1, required=True)
@click.option("--name", required=True, help="Name the golden set is referred to by.")
@json_option
@click.pass_context
def add(ctx, paths, name, as_json):
    """Store golden files as a snapshot of kind "golden" (item ids: `id` field, else row)."""
    from govern.leakage.golden import add_golden
    res = add_golden(get_store(ctx), list(paths), name)
    snap = res.snapshot
    if as_json:
        echo_json({"id": snap.id, "name": snap.name, "count": snap.count, "created": res.created})
        return
    click.echo(f"{'created' if res.created else 'already stored'}: golden set {name}, "
               f"{snap.count} items")
    click.echo(snap.id)


@golden.command("list")
@json_option
@click.pass_context
def list_(ctx, as_json):
    """List registered golden sets."""
    from govern.leakage.golden import list_golden
    rows = list_golden(get_store(ctx))
    listing(rows, as_json, "golden sets", ["id", "name", "items", "created"],
            lambda r: [r["id"][:12], r["name"], r["count"], r["created"]])


@golden.command("decontaminate")
@click.argument("ref")
@click.option("--golden", "goldens", multiple=True, required=True, help="Golden set name/REF.")
@click.option("--name", help="Name for the decontaminated child snapshot.")
@click.option("--workers", type=int, help="Worker processes for the lexical methods.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@policy_option
@click.pass_context
def decontaminate(ctx, ref, goldens, name, workers, device, policy_path):
    """Write a child snapshot of REF without the records that carry golden items.

    Prints the child snapshot id as the last line.
    """
    from govern.leakage.decontaminate import drop_leaked
    from govern.leakage.golden import open_goldens
    from govern.policy import load_policy
    from govern.snapshot import resolve
    store = get_store(ctx)
    snap = resolve(store, ref)
    with progress("scanning for leakage") as advance:
        res = drop_leaked(store, snap, open_goldens(store, list(goldens)),
                          load_policy(policy_path), name=name, workers=workers, device=device,
                          progress=advance)
    dropped = res.snapshot.manifest["extra"]["decontaminated"]["dropped"]
    click.echo(f"dropped {dropped} leaked record(s); {res.snapshot.count} kept "
               f"(parent {snap.id[:12]})")
    click.echo(res.snapshot.id)
