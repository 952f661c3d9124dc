"""`govern adapter verify|list|show`: thin adapters over govern.train.manifest / adapters."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import echo_json, get_store, json_option, listing, store_path


@click.group()
def adapter():
    """Adapters trained by govern: which base model, snapshot and gate each one came from."""


def _store_if_any(ctx):
    from govern.store import open_store
    path = store_path(ctx)
    return open_store(path) if (Path(path) / "catalog.sqlite").exists() else None


@adapter.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@json_option
@click.pass_context
def verify(ctx, folder, as_json):
    """Re-hash the adapter in FOLDER against its manifest (and the store's record); exit 3 on mismatch."""
    from govern.train.manifest import verify_adapter
    res = verify_adapter(folder, _store_if_any(ctx))
    if as_json:
        echo_json(res)
        return
    click.echo(f"ok: {res['files']} file(s) re-hashed, weights {res['weights_digest'][:12]}, "
               f"manifest {res['manifest'][:12]}"
               + (" (matches the store's record)" if res["recorded"] else " (not in this store)"))


@adapter.command("list")
@json_option
@click.pass_context
def list_(ctx, as_json):
    """Every adapter with its base model, snapshot and attestation."""
    from govern.train.adapters import list_adapters
    rows = list_adapters(get_store(ctx))
    listing(rows, as_json, "adapters",
            ["adapter", "task", "base model", "snapshot", "attestation", "created"],
            lambda r: [r["adapter"][:12], r["task"], r["base_model"],
                       r["snapshot_name"] or r["snapshot"][:12], (r["attestation"] or "-")[:12],
                       r["created"]])


@adapter.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def show(ctx, ref, as_json):
    """Show an adapter's manifest: REF is a weights digest prefix or an adapter folder."""
    from govern.train.adapters import show_adapter
    from govern.train.manifest import read_manifest
    m = read_manifest(Path(ref)) if Path(ref).is_dir() else show_adapter(get_store(ctx), ref)
    if as_json:
        echo_json(m)
        return
    att = (m.get("attestation") or {}).get("digest") or "-"
    click.echo(f"adapter     {m['adapter']['weights_digest']}\ntask        {m['task']}\n"
               f"snapshot    {m['snapshot']['id']} ({m['snapshot'].get('name') or '-'}, "
               f"{m['snapshot']['records']} records)\nattestation {att}\n"
               f"base model  {m['base_model']['name']} ({m['base_model']['digest'][:12]})\n"
               f"config      {m['config_digest'][:12]}  seed {m['config']['seed']}\n"
               f"devices     {', '.join(d.get('name', d['type']) for d in m['devices'])}\n"
               f"final loss  {m['metrics'].get('train_loss')}")
