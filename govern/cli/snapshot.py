"""`govern snapshot ...` and `govern verify`: thin adapters over govern.snapshot."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import (echo_json, get_store, json_option, listing, policy_option,
                               progress, table, terminal_safe)
from govern.cli.engine import engine_choice, engine_options
from govern.errors import IntegrityError


@click.group()
def snapshot():
    """Immutable, content-addressed snapshots of training data."""


@snapshot.command("create")
@click.argument("paths", nargs=-1, required=True)
@click.option("--name", help="A unique name for the snapshot.")
@click.option("--parent", help="REF of the snapshot this one derives from (lineage).")
@click.option("--quarantine", type=click.Path(path_type=Path),
              help="Divert malformed lines to this JSONL file instead of failing (counts reported).")
@click.option("--max-record-bytes", type=int, help="Override [ingest] max_record_bytes.")
@click.option("--max-depth", type=int, help="Override [ingest] max_depth.")
@click.option("--split", help="Hugging Face datasets: only this split (default: every split).")
@policy_option
@engine_options
@json_option
@click.pass_context
def create(ctx, paths, name, parent, quarantine, max_record_bytes, max_depth, split, policy_path,
           engine, ray_address, as_json):
    """Snapshot data files (JSONL, JSON, CSV, Parquet, optionally .gz; folders and globs too)
    or Hugging Face datasets (a save_to_disk folder, or hf://NAME[/CONFIG][@REV] from the
    local cache).

    Prints the snapshot id as the last line. Malformed input stops with exit 2 naming file
    and line (split and row for datasets); the same records always give the same id.
    """
    from govern.data.readers import Limits
    from govern.policy import load_policy
    from govern.snapshot import snapshot_files
    store = get_store(ctx)
    policy = load_policy(policy_path)
    ingest = policy.section("ingest")
    limits = Limits(max_record_bytes or ingest["max_record_bytes"], max_depth or ingest["max_depth"])
    with progress("snapshotting") as advance:
        res = snapshot_files(store, list(paths), name=name, parent=parent, limits=limits,
                             quarantine_path=quarantine, progress=advance,
                             engine=engine_choice(policy, engine, ray_address), split=split)
    snap = res.snapshot
    if as_json:
        echo_json({"id": snap.id, "name": snap.name, "count": snap.count, "created": res.created,
                   "quarantined": res.quarantined, "layout": snap.layout})
        return
    state = "created" if res.created else "already stored"
    click.echo(f"{state}: {snap.count} records, layout {snap.layout}"
               + (f", {res.quarantined} line(s) quarantined to {quarantine}" if quarantine else ""))
    click.echo(snap.id)


@snapshot.command("list")
@click.option("--kind", type=click.Choice(["data", "golden"]), help="Only this kind.")
@json_option
@click.pass_context
def list_(ctx, kind, as_json):
    """List snapshots with names, tags, counts and parents."""
    from govern.snapshot import list_snapshots
    rows = list_snapshots(get_store(ctx), kind)
    listing(rows, as_json, "snapshots",
            ["id", "name", "tags", "kind", "records", "parent", "created"],
            lambda r: [r["id"][:12], r["name"], ",".join(r["tags"]), r["kind"], r["count"],
                       (r["parent"] or "")[:12], r["created"]])


@snapshot.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def show(ctx, ref, as_json):
    """Show a snapshot's manifest: sources, schema, layout, lineage."""
    from govern.snapshot import resolve
    snap = resolve(get_store(ctx), ref)
    m = snap.manifest
    if as_json:
        echo_json({"name": snap.name, "manifest_digest": snap.manifest_digest, **m})
        return
    click.echo(f"snapshot {snap.id}\nname     {snap.name or '-'}\nkind     {snap.kind}\n"
               f"records  {m['count']}\nlayout   {m['layout']}\nparent   {m['parent'] or '-'}\n"
               f"created  {m['created']}\nmanifest {snap.manifest_digest}")
    table("sources", ["path", "size", "sha256"],
          [[s["path"], s["size"], s["sha256"][:16]] for s in m["sources"]])
    table("schema", ["field", "type"], [[k, v] for k, v in m["schema"].items()])


@snapshot.command("diff")
@click.argument("a")
@click.argument("b")
@json_option
@click.pass_context
def diff_(ctx, a, b, as_json):
    """Records added, removed and changed from snapshot A to snapshot B, with source lines."""
    from govern.snapshot import resolve
    from govern.snapshot.diff import diff
    store = get_store(ctx)
    d = diff(resolve(store, a), resolve(store, b))
    if as_json:
        echo_json(d)
        return
    click.echo(f"{len(d['added'])} added, {len(d['removed'])} removed, {len(d['changed'])} changed, "
               f"{d['unchanged']} unchanged")
    rows = [["+", r["file"], r["line"], r["digest"][:12], ""] for r in d["added"]]
    rows += [["-", r["file"], r["line"], r["digest"][:12], ""] for r in d["removed"]]
    rows += [["~", c["to"]["file"], c["to"]["line"], c["to"]["digest"][:12],
              ",".join(c["fields"])] for c in d["changed"]]
    if rows:
        table(None, ["", "file", "line", "record", "fields changed"], rows[:200])


@snapshot.command("tag")
@click.argument("ref")
@click.argument("name")
@click.option("--force", is_flag=True, help="Move the tag if it already names another snapshot "
              "(recorded in the audit ledger).")
@click.pass_context
def tag_(ctx, ref, name, force):
    """Give a snapshot an extra name. A tag on another snapshot moves only with --force;
    a name taken by a snapshot or tag exits 1 ("name taken")."""
    from govern.snapshot.model import tag
    snap = tag(get_store(ctx), ref, name, force)
    click.echo(f"tagged {snap.id[:12]} as {name}")


@snapshot.command("export")
@click.argument("ref")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "hf"]), default="jsonl",
              show_default=True, help="hf: a datasets.load_from_disk folder naming the snapshot "
                                      "id and its attestation.")
@policy_option
@click.pass_context
def export(ctx, ref, path, fmt, policy_path):
    """Write a snapshot's records to PATH, in order (JSONL, Parquet or a dataset folder)."""
    from govern.policy import load_policy
    from govern.snapshot import resolve
    from govern.snapshot.export_formats import attestation_of, export_snapshot
    store = get_store(ctx)
    snap = resolve(store, ref)
    att = attestation_of(store, snap, load_policy(policy_path)) if fmt == "hf" else None
    n = export_snapshot(snap, path, fmt, att)
    click.echo(f"wrote {n} records to {terminal_safe(path)}")


@click.command()
@click.argument("ref", required=False)
@click.option("--all", "all_", is_flag=True,
              help="Verify every snapshot and re-hash every object in the store.")
@json_option
@click.pass_context
def verify(ctx, ref, all_, as_json):
    """Re-hash every byte behind REF (or --all); exit 3 naming any damaged object.

    --all also re-hashes every stored object (results, attestations, manifests, shards,
    adapter manifests), checks that each result row points at an object naming that row's
    snapshot, and lists orphans (objects nothing in the catalog or ledger names).
    """
    from govern.snapshot.verify import verify_all
    from govern.store.check import check_store
    if not ref and not all_:
        raise click.UsageError("give a REF or --all")
    store = get_store(ctx)
    results = verify_all(store, None if all_ else ref)
    bad = {k: v for k, v in results.items() if v}
    whole = check_store(store) if all_ else None
    if as_json:
        echo_json({"verified": len(results), "damaged": bad, **({
            "objects": whole.objects, "damaged_objects": whole.damaged,
            "result_problems": whole.results, "unbound_results": whole.unbound,
            "orphans": whole.orphans} if whole else {})})
    else:
        for sid, problems in bad.items():
            for p in problems:
                click.echo(f"DAMAGED {sid[:12]}: {p}", err=True)
        if whole:
            for digest, problem in whole.damaged.items():
                click.echo(f"DAMAGED object {digest}: {problem}", err=True)
            for p in whole.results:
                click.echo(f"BAD RESULT {p}", err=True)
            for u in whole.unbound:
                click.echo(f"note: {u} was written by an older govern and names no subject: "
                           "not evidence until the step is re-run", err=True)
            if whole.orphans:
                click.echo(f"note: {len(whole.orphans)} orphan object(s), named by nothing in "
                           f"the catalog or ledger: "
                           + ", ".join(d[:12] for d in whole.orphans[:20]), err=True)
        if not bad and (whole is None or whole.ok):
            click.echo(f"ok: {len(results)} snapshot(s) verified, every byte re-hashed"
                       + (f"; {whole.objects} object(s) re-hashed" if whole else ""))
    if bad:
        raise IntegrityError(f"{len(bad)} snapshot(s) damaged: {', '.join(s[:12] for s in bad)}",
                             hint="restore the named objects from a backup")
    if whole and not whole.ok:
        raise IntegrityError(f"{len(whole.damaged)} damaged object(s), {len(whole.results)} "
                             "result row(s) that do not match their object",
                             hint="restore the named objects from a backup; re-run the steps")
