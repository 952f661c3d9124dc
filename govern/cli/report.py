"""`govern report compliance REF` and `govern signoff REPORT ...` / `govern signoff verify`.

`signoff` is a group whose default subcommand is `create`: `govern signoff REPORT --by NAME
--role ROLE --decision approve` is read as `govern signoff create REPORT ...`.
"""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import echo_json, get_store, json_option, policy_option, table


@click.group()
def report():
    """Reports built from the evidence in the store."""


@report.command("compliance")
@click.argument("ref")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: [report] out, i.e. reports/).")
@policy_option
@json_option
@click.pass_context
def compliance(ctx, ref, out_dir, policy_path, as_json):
    """Assemble the compliance report of snapshot REF: data card, validation, PII, leakage,
    gate attestation (verified now), adapters, evaluation, GDPR / EU AI Act mapping.

    Writes JSON (schema-validated), Markdown, self-contained HTML, a Hugging Face dataset card
    and governed model cards; prints the paths. Exit 0 whatever the findings: the report
    shows them; exit 3 only if the report itself cannot be trusted.
    """
    from govern.policy import load_policy
    from govern.report.compliance import compliance_report
    policy = load_policy(policy_path)
    out = out_dir or Path(policy.section("report").get("out", "reports"))
    rep, paths, digest = compliance_report(get_store(ctx), ref, policy, out)
    if as_json:
        echo_json({"report": digest, "summary": rep["summary"],
                   "files": {k: str(v) for k, v in paths.items()}})
        return
    areas = rep["summary"]["areas"]
    click.echo(" · ".join(f"{k} {v.upper()}" for k, v in areas.items()))
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")
    click.echo(f"report sha256 {digest}")


class DefaultCreateGroup(click.Group):
    """A group that runs `create` when the first argument is not a subcommand."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCreateGroup)
def signoff():
    """Sign a compliance report (`govern signoff REPORT --by --role --decision`) or verify
    sign-offs (`govern signoff verify [REPORT]`)."""


@signoff.command("create")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--by", required=True, help="Name of the person signing.")
@click.option("--role", required=True, help="Their role, e.g. dpo, ml-lead, compliance.")
@click.option("--decision", required=True, type=click.Choice(["approve", "reject"]))
@click.option("--note", default="", help="Free-text note kept in the signed record.")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Ed25519 private key (default: GOVERN_SIGNING_KEY, else the store's).")
@json_option
@click.pass_context
def create(ctx, report_path, by, role, decision, note, key_path, as_json):
    """Write a dated, signed decision bound to REPORT's sha256 and its snapshot."""
    from govern.report.signoff import create_signoff
    statement, path, digest = create_signoff(get_store(ctx), report_path, by, role, decision,
                                             note, key_path)
    if as_json:
        echo_json({"signoff": digest, "file": str(path), "statement": statement})
        return
    p = statement["predicate"]
    click.echo(f"{p['decision']} by {p['by']} ({p['role']}) on {p['date']} for report "
               f"{p['report']['sha256'][:12]}, snapshot {p['snapshot']['id'][:12]}")
    click.echo(f"wrote {path}")


@signoff.command("verify")
@click.argument("report_path", metavar="[REPORT]", required=False,
                type=click.Path(path_type=Path, dir_okay=False))
@json_option
@click.pass_context
def verify(ctx, report_path, as_json):
    """Verify the sign-offs of REPORT (or every sign-off in the store): signature valid and
    report unchanged. Exit 3 if a report changed after signing or a record was tampered."""
    from govern.errors import IntegrityError, UsageError
    from govern.report.signoff import signoffs_for, verify_signoff
    store = get_store(ctx)
    envelopes = signoffs_for(store, report_path)
    if not envelopes:
        raise UsageError(f"no sign-off {'for ' + str(report_path) if report_path else 'in the store'}",
                         hint="`govern signoff REPORT --by NAME --role ROLE --decision approve`")
    results, problems = [], []
    for env in envelopes:
        try:
            results.append(verify_signoff(store, env, report_path))
        except IntegrityError as e:
            problems.append(e)
    if as_json:
        echo_json({"valid": results, "broken": [str(e) for e in problems]})
    else:
        table("sign-offs", ["decision", "by", "role", "date", "report"],
              [[r["decision"], r["by"], r["role"], r["date"], r["report"]] for r in results])
    if problems:
        raise IntegrityError(str(problems[0]) + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                             hint=problems[0].hint)
