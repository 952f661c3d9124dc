"""The regression report: JSON validated by the packaged schema, then Markdown, self-contained
HTML (inline SVG plots: per-suite deltas with intervals, per-item flips) and JUnit XML, all
rendered from that one JSON document."""
from __future__ import annotations

import json
from pathlib import Path

from govern.digests import canonical_json, digest_json
from govern.report import schemas
from govern.store.files import write_output


def report_schema() -> dict:
    return schemas.packaged("govern.evaluate", "regression-report.json")


def validate_report(report: dict) -> None:
    schemas.check(report, report_schema(), "regression report")


def _env(kind: str = "html"):
    from govern.report import escape
    env = escape.html_env("govern.evaluate") if kind == "html" else \
        escape.markdown_env("govern.evaluate")
    env.filters["num"] = lambda v, d=4: "–" if v is None else f"{v:.{d}f}"
    env.filters["signed"] = lambda v, d=4: "–" if v is None else f"{v:+.{d}f}"
    env.filters["short"] = lambda v: (v or "none")[:12]
    env.globals["delta_x"] = delta_x
    from markupsafe import Markup
    env.globals["csp"] = Markup(escape.csp())  # govern's own text, no data in it
    return env


def delta_x(suite: dict, value: float) -> float:
    """x of a delta in a suite's plot: symmetric around zero (x=200), covering its interval;
    each suite has its own scale because metrics differ in units."""
    span = max([abs(x) for x in (suite["ci"] or [])] + [abs(suite["delta"] or 0), 0.01]) * 1.1
    return round(200 + 180 * value / span, 2)


def render_markdown(report: dict) -> str:
    return _env("md").get_template("regression.md.j2").render(r=report)


def render_html(report: dict) -> str:
    return _env().get_template("regression.html.j2").render(r=report)


def render_junit(report: dict) -> str:
    """One test case per suite verdict (the project's shared JUnit writer); a failed verdict
    is a <failure>."""
    from govern.report.ci import Case, junit
    cases = []
    for s in report["suites"]:
        summary = (f"{s['verdict']}: delta {s['delta']:+.4f} CI [{s['ci'][0]:+.4f}, "
                   f"{s['ci'][1]:+.4f}] p={s['p_value']:.4g}") if s["delta"] is not None else s["verdict"]
        cases.append(Case(f"{s['suite']['name']} ({s['suite']['metric']})",
                          "pass" if s["passed"] else "fail", s["reason"], summary,
                          f"govern.eval.{s['suite']['role']}"))
    return junit("govern regression", cases, {"policy_digest": report["policy_digest"],
                                              "passed": report["passed"]})


def write_report(report: dict, out_dir: Path) -> dict[str, Path]:
    """Validate, then write regression-<digest12>.{json,md,html,xml}; returns the paths."""
    validate_report(report)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"regression-{digest_json(report)[:12]}"
    texts = {"json": json.dumps(json.loads(canonical_json(report)), indent=2, sort_keys=True) + "\n",
             "md": render_markdown(report), "html": render_html(report), "xml": render_junit(report)}
    paths = {}
    for ext, text in texts.items():
        paths[ext] = out_dir / f"{stem}.{ext}"
        write_output(paths[ext], text)
    return paths
