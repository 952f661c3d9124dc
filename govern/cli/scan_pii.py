"""`govern scan pii TARGET`: a thin adapter over govern.pii.scan.scan_target."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import get_store, policy_option, progress, table
from govern.cli.engine import engine_choice, engine_options
from govern.store.files import write_output


@click.command("pii")
@click.argument("target", nargs=-1, required=True)
@click.option("--field", "fields", multiple=True,
              help="Scan only this field (repeatable; default: every string field).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "sarif", "junit",
                                                   "github", "markdown"]),
              default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write the output to FILE.")
@click.option("--workers", type=int, help="Worker processes (default: all cores).")
@engine_options
@policy_option
@click.pass_context
def scan_pii(ctx, target, fields, fmt, out, workers, engine, ray_address, policy_path):
    """Scan a snapshot REF or data files for PII and secrets.

    Exit 0: no blocking findings; 1: blocking findings; 2: a record could not be scanned.
    """
    from govern.errors import PolicyViolation, ScanError
    from govern.pii.report import render, summary_line, type_rows
    from govern.pii.scan import scan_target
    from govern.policy import load_policy
    from govern.snapshot.target import open_target
    store, policy = get_store(ctx), load_policy(policy_path)
    tgt = open_target(store, list(target))
    with progress("scanning for PII", getattr(tgt.snapshot, "count", None)) as advance:
        scan = scan_target(store, tgt, policy, workers, advance, list(fields),
                           engine=engine_choice(policy, engine, ray_address))
    if fmt in ("junit", "github", "markdown"):  # CI formats (govern.report.ci_formats)
        from govern.report import ci_formats
        text = ci_formats.pii(scan, fmt)
    else:
        text = render(scan, fmt)
    if out:
        write_output(out, text)
    elif fmt != "table":
        click.echo(text, nl=False)
    if fmt == "table" and not out:
        table(f"PII findings in {tgt.label}", ["type", "count", "blocking", "fields", "roles",
                                               "examples (masked)"], type_rows(scan))
    click.echo(summary_line(scan.summary), err=fmt != "table")
    if scan.summary["failed"]:
        raise ScanError(f"{scan.summary['failed']} of {scan.summary['total']} records could not "
                        "be scanned", hint="rerun with --workers 1; see [pii] max_text_chars")
    if scan.summary["status"] == "fail":
        raise PolicyViolation("blocking PII or secrets found",
                              hint="redact them (`govern redact`) or accept them "
                                   "(`govern baseline accept`)")
