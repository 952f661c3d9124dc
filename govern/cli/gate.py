"""`govern gate` and `govern attest ...`: the policy decision and its signed attestations."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import echo_json, get_store, policy_option, table
from govern.errors import PolicyViolation

FORMATS = ["table", "json", "junit", "github", "markdown", "sarif"]


@click.command()
@click.argument("ref")
@policy_option
@click.option("--run", "run_missing", is_flag=True,
              help="Run missing or stale checks (scans, validation) instead of failing on them.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the formatted decision to this file as well (e.g. JUnit for CI).")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Ed25519 private key to sign with (default: GOVERN_SIGNING_KEY, else the store's).")
@click.pass_context
def gate(ctx, ref, policy_path, run_missing, fmt, output, key_path):
    """Decide under the policy's [gate] section whether snapshot REF may be trained on.

    Lists every required check with pass/fail/missing/stale/n-a and the reason, signs the
    decision (pass or fail) as an attestation, and exits 1 unless every check passes.
    """
    from govern.gate.evaluate import run_gate
    from govern.policy import load_policy
    from govern.snapshot import resolve
    policy = load_policy(policy_path)
    store = get_store(ctx)
    result = run_gate(store, resolve(store, ref), policy, run_missing, key_path)
    text = _show(result, fmt)
    if output:
        from govern.store.files import write_output
        write_output(output, text)
    if not result.passed:
        bad = result.failing()
        raise PolicyViolation(f"gate failed for {result.label}: "
                              + ", ".join(f"{c['name']} {c['status']}" for c in bad),
                              hint=_hint(bad))


def _show(result, fmt: str) -> str:
    """Print the decision in the chosen format; return the text form for --output."""
    import json
    from govern.gate import render
    data = result.to_dict()
    from govern.report import ci_formats
    text = {"junit": render.junit, "github": render.github, "markdown": render.markdown,
            "sarif": lambda d: ci_formats.gate(d, "sarif")}.get(
        fmt, lambda d: json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + "\n")(data)
    if fmt == "table":
        from rich.markup import escape
        table(escape(f"gate {result.label}: {result.decision.upper()}"),
              ["check", "status", "reason", "result"],
              render.table_rows(data))  # table() escapes cells itself
        click.echo(f"attestation {result.attestation_digest}")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    return text


def _hint(bad: list[dict]) -> str | None:
    runs = [c["how_to_run"] for c in bad if c["status"] in ("missing", "stale") and c["how_to_run"]]
    return ("run " + "; ".join(f"`{r}`" for r in dict.fromkeys(runs))
            + ", or `govern gate REF --run`") if runs else None


@click.group()
def attest():
    """Signed attestations of gate decisions."""


@attest.command("verify")
@click.argument("what")
@policy_option
@click.option("--key", "keys", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Also trust this Ed25519 public key (PEM; repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the verified statement as JSON.")
@click.pass_context
def verify(ctx, what, policy_path, keys, as_json):
    """Verify an attestation FILE, or the attestation of snapshot REF under the policy.

    Exit 0 for a valid signature by a trusted key over digests that match the store; exit 3
    for anything tampered, unsigned or signed by an unknown key.
    """
    from govern.gate.attestation import verify_attestation, verify_for
    from govern.policy import load_policy
    store = get_store(ctx)
    info = verify_attestation(store, Path(what), list(keys)) if Path(what).exists() else \
        verify_for(store, what, load_policy(policy_path), list(keys))
    if as_json:
        echo_json({k: v for k, v in info.items()})
        return
    click.echo(f"valid attestation {info['digest'][:16]}: snapshot {info['subject'][:12]}, "
               f"decision {info['decision']}, policy {info['policy'][:12]}, key {info['keyid'][:23]}")


@attest.command("export")
@click.argument("ref")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@policy_option
@click.pass_context
def export(ctx, ref, path, policy_path):
    """Write the attestation of snapshot REF (under the policy) to PATH for CI or auditors."""
    from govern.gate.attestation import attestation_for, write_envelope
    from govern.policy import load_policy
    envelope = attestation_for(get_store(ctx), ref, load_policy(policy_path))
    write_envelope(envelope, path)
    click.echo(f"wrote {path}")
