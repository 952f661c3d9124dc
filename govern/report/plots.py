"""Inline SVG plots for the HTML report: findings by type, the lineage graph, eval deltas.

Plain SVG strings (no plotting library, no network assets); every label is escaped.
"""
from __future__ import annotations

from html import escape

BAR = "#4c72b0"
COLORS = {"pass": "#2e7d32", "fail": "#c62828", "current": "#1565c0", "other": "#78909c"}


def bars(counts: dict[str, int], title: str, width: int = 560) -> str:
    """Horizontal bar chart of counts, largest first."""
    if not counts:
        return f'<p class="muted">{escape(title)}: nothing to plot.</p>'
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
    top, row, left = max(v for _, v in items), 22, 190
    height = row * len(items) + 30
    out = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
           f'<title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 20 + i * row
        w = max(1, int((width - left - 60) * value / top))
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
                   f'{escape(str(label))}</text>'
                   f'<rect x="{left}" y="{y}" width="{w}" height="{row - 6}" fill="{BAR}"/>'
                   f'<text x="{left + w + 4}" y="{y + 13}" font-size="12">{value}</text>')
    out.append("</svg>")
    return "".join(out)


def lineage(nodes: list[dict], width: int = 720) -> str:
    """Snapshots as boxes, parent to child left to right; the reported one is highlighted."""
    if not nodes:
        return ""
    box_w, box_h, gap = 200, 62, 40
    pos, depth = {}, {}
    for n in nodes:
        depth[n["id"]] = depth.get(n["parent"], -1) + 1 if n["parent"] in depth else 0
    per_col: dict[int, int] = {}
    for n in nodes:
        col = depth[n["id"]]
        pos[n["id"]] = (10 + col * (box_w + gap), 10 + per_col.get(col, 0) * (box_h + 16))
        per_col[col] = per_col.get(col, 0) + 1
    w = max(x for x, _ in pos.values()) + box_w + 10
    h = max(y for _, y in pos.values()) + box_h + 10
    out = [f'<svg role="img" aria-label="lineage" width="{max(w, 220)}" height="{h}" '
           f'viewBox="0 0 {max(w, 220)} {h}" xmlns="http://www.w3.org/2000/svg">',
           '<title>lineage</title><defs><marker id="arrow" markerWidth="8" markerHeight="8" '
           'refX="8" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for n in nodes:
        if n["parent"] in pos:
            (px, py), (x, y) = pos[n["parent"]], pos[n["id"]]
            out.append(f'<line x1="{px + box_w}" y1="{py + box_h / 2}" x2="{x}" y2="{y + box_h / 2}" '
                       'stroke="#555" marker-end="url(#arrow)"/>')
    for n in nodes:
        x, y = pos[n["id"]]
        color = COLORS["current"] if n["current"] else COLORS["other"]
        name = escape(n["name"] or n["id"][:12])
        out.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="white" '
                   f'stroke="{color}" stroke-width="{3 if n["current"] else 1.5}"/>'
                   f'<text x="{x + 8}" y="{y + 18}" font-size="13" font-weight="bold">{name}</text>'
                   f'<text x="{x + 8}" y="{y + 35}" font-size="11">{n["id"][:12]} · '
                   f'{n["count"]} records</text>'
                   f'<text x="{x + 8}" y="{y + 51}" font-size="11">{escape(n["operation"][:30])}'
                   + (f' · −{n["dropped"]}' if n["dropped"] else "") + '</text>')
    out.append("</svg>")
    return "".join(out)


def deltas(suites: list[dict], width: int = 720) -> str:
    """Adapter minus base per suite: a dot with its interval, zero marked, pass/fail colour."""
    rows = [s for s in suites if s.get("delta") is not None]
    if not rows:
        return '<p class="muted">No evaluation deltas recorded.</p>'
    span = max([abs(v) for s in rows for v in (s.get("ci") or [])] +
               [abs(s["delta"]) for s in rows] + [0.01]) * 1.1
    left, right, row = 280, width - 20, 28
    mid = (left + right) / 2

    def x(v: float) -> float:
        return round(mid + (right - left) / 2 * v / span, 2)
    height = row * len(rows) + 40
    out = [f'<svg role="img" aria-label="evaluation deltas" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
           '<title>evaluation deltas (adapter − base)</title>',
           f'<line x1="{mid}" y1="10" x2="{mid}" y2="{height - 20}" stroke="#999" stroke-dasharray="4"/>',
           f'<text x="{mid}" y="{height - 5}" font-size="11" text-anchor="middle">0 (±{span:.3g})</text>']
    for i, s in enumerate(rows):
        y = 24 + i * row
        color = COLORS["pass"] if s["passed"] else COLORS["fail"]
        lo, hi = s.get("ci") or (s["delta"], s["delta"])
        out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="12">'
                   f'{escape(s["name"][:30])} ({escape(s["role"])})</text>'
                   f'<line x1="{x(lo)}" y1="{y}" x2="{x(hi)}" y2="{y}" stroke="{color}" stroke-width="2"/>'
                   f'<circle cx="{x(s["delta"])}" cy="{y}" r="5" fill="{color}">'
                   f'<title>{s["delta"]:+.4f} [{lo:+.4f}, {hi:+.4f}] {escape(s["verdict"])}</title></circle>')
    out.append("</svg>")
    return "".join(out)
