"""Rendering a compliance report (the validated JSON) to Markdown and self-contained HTML, and
writing every output file of `report compliance`.

The HTML carries its findings as embedded JSON that a small script pages and filters, so a
report with tens of thousands of findings stays one file that opens quickly; no network assets.
"""
from __future__ import annotations

import json
from pathlib import Path

from govern.digests import canonical_json, digest_json
from govern.report import plots

STATUS = {"pass": "PASS", "fail": "FAIL", "missing": "MISSING", "broken": "BROKEN",
          "evidenced": "evidenced", "gap": "GAP", "n/a": "N/A"}


def _filters(env):
    env.filters["short"] = lambda v, n=12: (v or "—")[:n]
    env.filters["num"] = lambda v, d=4: "–" if v is None else f"{v:.{d}f}"
    env.filters["signed"] = lambda v, d=4: "–" if v is None else f"{v:+.{d}f}"
    env.filters["status"] = lambda v: STATUS.get(v, str(v).upper())
    return env


def _env(kind: str = "html"):
    from govern.report import escape
    return _filters(escape.html_env("govern.report") if kind == "html"
                    else escape.markdown_env("govern.report"))


def _script() -> str:
    """The HTML report's one script (pages and filters the findings), allowed by its hash."""
    from importlib import resources
    return (resources.files("govern.report") / "templates" / "findings.js").read_text("utf-8")


def embedded_json(obj) -> str:
    """JSON safe inside <script type="application/json">: no '<' can end the element."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c") \
        .replace(">", "\\u003e").replace("&", "\\u0026")


def regression_suites(report: dict) -> list[dict]:
    return [s for g in report["evaluation"]["regressions"] for s in g["suites"]]


def render_markdown(report: dict) -> str:
    return _env("md").get_template("compliance.md.j2").render(r=report)


def render_html(report: dict) -> str:
    card = report["data_card"]
    figures = {"pii": plots.bars(report["pii"].get("by_type") or {}, "PII and secrets by type"),
               "leakage": plots.bars({m: v["hits"] for m, v in
                                      (report["leakage"].get("by_method") or {}).items()},
                                     "leakage findings by method"),
               "lineage": plots.lineage(card["lineage"]),
               "deltas": plots.deltas(regression_suites(report))}
    data = {"pii": report["findings"]["pii"], "leakage": report["findings"]["leakage"]}
    from markupsafe import Markup
    from govern.report.escape import csp
    script = _script()
    # figures are SVG govern drew with every label escaped (plots.py); the script is govern's
    return _env().get_template("compliance.html.j2").render(
        r=report, figures={k: Markup(v) for k, v in figures.items()},
        findings_json=Markup(embedded_json(data)), script=Markup(script), csp=Markup(csp([script])))


def report_stem(report: dict) -> str:
    name = report["snapshot"]["name"] or report["snapshot"]["id"][:12]
    return f"compliance-{name}-{digest_json(report)[:12]}"


def report_json_text(report: dict) -> str:
    """The exact bytes of report.json: a sign-off binds to their sha256."""
    return json.dumps(json.loads(canonical_json(report)), indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"


def write_outputs(report: dict, out_dir: Path) -> dict[str, Path]:
    """Write <stem>.json/.md/.html in out_dir; returns the paths by format."""
    from govern.store.files import write_output
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report)
    texts = {"json": report_json_text(report), "md": render_markdown(report),
             "html": render_html(report)}
    paths = {}
    for ext, text in texts.items():
        paths[ext] = out_dir / f"{stem}.{ext}"
        write_output(paths[ext], text)  # never over a symlink or special file
    return paths
