"""`govern eval` and `govern compare`: thin adapters over govern.evaluate."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import echo_json, get_store, json_option, policy_option, table

out_option = click.option("--out", "out_dir", type=click.Path(path_type=Path), default="reports",
                          show_default=True, help="Folder for the regression report.")


def _report(report: dict, paths: dict, digest: str, as_json: bool) -> None:
    from govern.errors import PolicyViolation
    if as_json:
        echo_json({"report": digest, "passed": report["passed"],
                   "files": {k: str(v) for k, v in paths.items()},
                   "suites": [{"suite": s["suite"]["name"], "verdict": s["verdict"],
                               "passed": s["passed"], "delta": s["delta"], "ci": s["ci"],
                               "p_value": s["p_value"]} for s in report["suites"]]})
    else:
        table("base vs adapter", ["suite", "role", "metric", "delta", "interval", "p", "verdict"],
              [[s["suite"]["name"], s["suite"]["role"], s["suite"]["metric"], f"{s['delta']:+.4f}",
                f"[{s['ci'][0]:+.4f}, {s['ci'][1]:+.4f}]", f"{s['p_value']:.4g}",
                s["verdict"] + ("" if s["passed"] else " (FAIL)")] for s in report["suites"]])
        click.echo(f"report {digest[:12]}: " + ", ".join(str(p) for p in paths.values()))
    if not report["passed"]:
        failed = [s["suite"]["name"] + ": " + s["reason"] for s in report["suites"] if not s["passed"]]
        raise PolicyViolation("; ".join(failed))


@click.command("eval")
@click.option("--base-model", required=True, help="Model folder or installed model package.")
@click.option("--adapter", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="LoRA adapter folder (omit to record the no-fine-tune baselines).")
@click.option("--suite", "suites", multiple=True,
              help="Suite name, folder or file (repeatable; default: the policy's "
                   "[eval] golden_suites and regression_suites).")
@click.option("--train-snapshot", help="Training snapshot: retrieval baseline and leakage split.")
@click.option("--compare-base", is_flag=True, help="Also compare against the base model and report.")
@out_option
@click.option("--device", default="auto", show_default=True, help="cpu, cuda, cuda:1 ...")
@click.option("--batch-size", default=16, show_default=True, type=click.IntRange(1))
@policy_option
@json_option
@click.pass_context
def eval_command(ctx, base_model, adapter, suites, train_snapshot, compare_base, out_dir, device,
                 batch_size, policy_path, as_json):
    """Run eval suites on a base model (baselines) or base + adapter; store per-item results."""
    from govern.evaluate.compare import compare_and_report
    from govern.evaluate.run import evaluate
    from govern.policy.load import load_policy
    store, policy = get_store(ctx), load_policy(policy_path)
    rows, pairs = evaluate(store, base_model, adapter, suites, train_snapshot, policy, device,
                           batch_size, compare_base)
    if as_json and not pairs:
        echo_json(rows)
    elif not as_json:
        # one line per stored result, the full digest first: what `govern compare` takes
        for r in rows:
            best = " (recorded baseline)" if r["best"] and r["mode"] != "adapter" else ""
            click.echo(f"{r['digest']}  {r['suite']}  {r['mode']}{best}  "
                       f"{r['metric']}={r['value']:.4f}")
    if pairs:
        report, paths, digest = compare_and_report(store, [p[0] for p in pairs],
                                                   [p[1] for p in pairs], policy, out_dir)
        _report(report, paths, digest, as_json)


@click.command("compare")
@click.argument("base_result")
@click.argument("adapter_result")
@out_option
@policy_option
@json_option
@click.option("--format", "fmt", type=click.Choice(["junit", "sarif", "github", "markdown"]),
              help="CI output of the verdicts (JUnit XML, SARIF, GitHub annotations, Markdown).")
@click.pass_context
def compare(ctx, base_result, adapter_result, out_dir, policy_path, as_json, fmt=None):
    """Compare two eval results (digests or MODEL:ADAPTER subjects); write the regression
    report; exit 1 on a regression or an insufficient golden gain."""
    from govern.evaluate.compare import compare_and_report, resolve_results
    from govern.policy.load import load_policy
    store, policy = get_store(ctx), load_policy(policy_path)
    report, paths, digest = compare_and_report(store, resolve_results(store, base_result),
                                               resolve_results(store, adapter_result), policy,
                                               out_dir)
    if fmt:  # CI formats (govern.report.ci_formats)
        from govern.errors import PolicyViolation
        from govern.report import ci_formats
        click.echo(ci_formats.regression(report, fmt), nl=False)
        if not report["passed"]:
            raise PolicyViolation("; ".join(s["suite"]["name"] + ": " + s["reason"]
                                            for s in report["suites"] if not s["passed"]))
        return
    _report(report, paths, digest, as_json)
