"""`govern scan leakage TARGET --golden GOLDEN...`: a thin adapter over govern.leakage.scan."""
from __future__ import annotations

import io
import json
from pathlib import Path

import click

from govern.cli.common import get_store, policy_option, progress, table
from govern.cli.engine import engine_choice, engine_options

RULES = {"exact": "golden item copied (normalized exact match)",
         "ngram13": "golden item's 13-grams found", "ngram8": "golden item's 8-grams found",
         "substring": "golden item's sampled substrings found",
         "minhash": "golden item near-duplicated (MinHash containment)",
         "semantic": "golden item rephrased (verified embedding match)"}


@click.command("leakage")
@click.argument("target", nargs=-1, required=True)
@click.option("--golden", "goldens", multiple=True,
              help="Golden set name/REF or files (repeatable; default: [leakage] golden).")
@click.option("--field", "fields", multiple=True, help="Training field(s) compared.")
@click.option("--golden-field", "golden_fields", multiple=True, help="Golden field(s) compared.")
@click.option("--methods", help="Comma-separated methods (default: all in the policy).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "sarif", "junit",
                                                   "github", "markdown"]),
              default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write the output to this file.")
@click.option("--workers", type=int, help="Worker processes for the lexical methods and, with "
              "--device cuda, for preparing the semantic windows (default: all cores).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
@click.option("--self-test/--no-self-test", default=True, show_default=True,
              help="Plant transformed golden copies and report each method's recall.")
@engine_options
@policy_option
@click.pass_context
def scan_leakage(ctx, target, goldens, fields, golden_fields, methods, fmt, out, workers,
                 device, self_test, engine, ray_address, policy_path):
    """Find golden-set items in TARGET (a snapshot REF or data files), rephrasings included.

    Exit 1 when the [leakage] limit is exceeded, 2 when a record could not be compared.
    """
    from govern.errors import PolicyViolation, ScanError
    from govern.leakage.golden import open_goldens
    from govern.leakage.scan import scan_target
    from govern.policy import load_policy
    from govern.snapshot.target import open_target
    store, policy = get_store(ctx), load_policy(policy_path)
    tgt = open_target(store, list(target))
    refs = list(goldens) or policy.section("leakage").get("golden", [])
    with progress("scanning for leakage") as advance:
        scan = scan_target(store, tgt, open_goldens(store, refs), policy,
                           methods=methods.split(",") if methods else None, workers=workers,
                           device=device, self_test=self_test, progress=advance,
                           fields=list(fields), golden_fields=list(golden_fields),
                           engine=engine_choice(policy, engine, ray_address))
    _render(scan, fmt, out, tgt.label)
    s = scan.summary
    if s["failed"]:
        raise ScanError(f"{s['failed']} record(s) could not be compared (chosen field missing)")
    if s["status"] == "fail":
        raise PolicyViolation(f"{s['leaked_records']} training record(s) carry golden items "
                              f"(limit {s['max_leaked_records']})")


def _render(scan, fmt: str, out: Path | None, label: str) -> None:
    from govern.findings import sarif, write_jsonl
    stream = open(out, "w", encoding="utf-8") if out else None
    try:
        if fmt in ("junit", "github", "markdown"):  # CI formats (govern.report.ci_formats)
            from govern.report import ci_formats
            click.echo(ci_formats.leakage(scan, fmt, label), file=stream, nl=False)
        elif fmt == "jsonl":
            buf = io.StringIO()
            write_jsonl(scan.findings, buf)
            click.echo(buf.getvalue(), file=stream, nl=False)
        elif fmt in ("json", "sarif"):
            doc = (sarif(scan.findings, "govern leakage", RULES, default_uri=label)
                   if fmt == "sarif" else {**scan.summary, "digest": scan.digest,
                                           "items": [f.to_dict() for f in scan.findings]})
            click.echo(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False), file=stream)
        else:
            _tables(scan, label)
    finally:
        if stream:
            stream.close()


def _tables(scan, label: str) -> None:
    s = scan.summary
    table(f"leakage in {label}", ["row", "line", "field", "golden", "method", "methods", "score"],
          [[f.row, f.line, f.field, f.golden, f.method, ",".join(f.methods or []),
            f"{f.score:.3f}"] for f in scan.findings])
    table("golden items found", ["golden set", "golden item", "records"],
          [[a["golden_set"], a["golden"], a["hits"]] for a in s["attribution"]])
    table("self-test recall (planted copies caught)", ["method", "planted", "caught", "recall"],
          [[m, v["planted"], v["caught"], v["recall"]] for m, v in s["self_test"].items()])
    click.echo(f"{s['status']}: {s['leaked_records']} leaked record(s) of {s['compared']} "
               f"compared, {s['leaked_golden_items']} golden item(s), "
               f"{s['golden_internal_duplicates']} duplicate pair(s) inside the golden sets"
               + (f"; result {scan.digest}" if scan.digest else ""))
