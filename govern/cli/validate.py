"""`govern validate`: run Great Expectations suites on a snapshot or data files."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import echo_json, json_option, policy_option, store_path
from govern.errors import PolicyViolation
from govern.store.files import write_output


@click.command()
@click.argument("target", nargs=-1)
@click.option("--suite", "suites", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A GX suite JSON file (repeatable). Default: [validate] suites, else the "
                   "shipped suite for the data's layout.")
@policy_option
@json_option
@click.option("--format", "fmt", type=click.Choice(["junit", "sarif", "github", "markdown"]),
              help="CI output (JUnit XML, SARIF 2.1.0, GitHub annotations, Markdown summary).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the --format output (or the --suite-from suite) to this file.")
@click.option("--suite-from", "suite_from", metavar="REF",
              help="Write a suite profiled from snapshot REF (or data files) to --out instead "
                   "of validating: labels and shares, lengths, null and duplicate rates, roles.")
@click.pass_context
def validate(ctx, target, suites, policy_path, as_json, fmt=None, out=None, suite_from=None):
    """Validate TARGET (a snapshot REF or data files) with Great Expectations suites.

    A snapshot's result is stored under (snapshot id, suite digest) for `govern gate`.
    Failed expectations are summarised with masked examples only. Exit 1 when a suite fails.
    """
    from govern.policy import load_policy
    from govern.snapshot.target import open_target
    from govern.store import open_store
    from govern.validate.run import validate_target
    root = store_path(ctx)
    store = open_store(root) if (root / "catalog.sqlite").exists() else None
    if suite_from:
        _write_suite(store, [suite_from, *target], out)
        return
    if not target:
        raise click.UsageError("give a snapshot REF or data files (or --suite-from REF --out FILE)")
    run = validate_target(store, open_target(store, list(target)), list(suites) or None,
                          load_policy(policy_path))
    if fmt:  # CI formats (govern.report.ci_formats)
        from govern.report import ci_formats
        text = ci_formats.validation(run, fmt)
        if out:
            write_output(out, text)
        else:
            click.echo(text, nl=False)
    elif as_json:
        echo_json({"result": run.digest, **run.payload})
    else:
        _print(run)
    if not run.success:
        failed = [s["name"] for s in run.payload["suites"] if not s["success"]]
        raise PolicyViolation(f"validation failed: suite(s) {', '.join(failed)}",
                              hint="the rows listed are 0-based records of the target")


def _write_suite(store, refs: list[str], out: Path | None) -> None:
    from govern.snapshot.target import open_target
    from govern.validate.profile import write_suite
    if out is None:
        raise click.UsageError("--suite-from needs --out FILE (e.g. expectations/mydata.json)")
    suite = write_suite(open_target(store, refs), out)
    click.echo(f"wrote suite {suite['name']!r} ({len(suite['expectations'])} expectations) to "
               f"{out}; edit it, commit it and name it in [validate] suites")


def _print(run) -> None:
    p = run.payload
    click.echo(f"{p['target']}: {p['records']} records, layout {p['layout']}"
               + (f", result {run.digest[:16]}" if run.digest else ""))
    for s in p["suites"]:
        st = s["statistics"]
        click.echo(f"suite {s['name']} ({s['file']}): {'PASS' if s['success'] else 'FAIL'} "
                   f"{st['successful_expectations']}/{st['evaluated_expectations']} expectations")
        for f in s["failed"]:
            click.echo("  FAIL " + _describe(f))


def _describe(f: dict) -> str:
    """One failed expectation in a line: counts, 0-based rows and masked examples only."""
    parts = [f["expectation"] + (f"({f['column']})" if f.get("column") else "")]
    if "unexpected_count" in f:
        parts.append(f"{f['unexpected_count']} of {f.get('element_count', '?')} unexpected")
    if "observed_value" in f:
        parts.append(f"observed {f['observed_value']}")
    if f.get("rows"):
        parts.append("rows " + ",".join(map(str, f["rows"][:10])))
    if f.get("examples"):
        parts.append("e.g. " + ", ".join(map(str, f["examples"])))
    if f.get("error"):
        parts.append(f["error"])
    return "; ".join(parts)
