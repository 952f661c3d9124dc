"""From raw method hits to findings: one per (training record, golden item), all methods listed.

Also the per-golden-item attribution (which items leaked, how often) and the scan of the
golden sets against themselves (internal duplicates).
"""
from __future__ import annotations

from collections import Counter

from govern.findings import Finding, fingerprint
from govern.leakage.detect import METHODS, match_text


def _strongest(groups: dict, rank: dict, duplicates: set) -> dict:
    """Per record, drop a golden item that duplicates a more strongly matched one (a copy
    of G1 also half-matches its near-twin G2: the finding names G1 only)."""
    for hs in groups.values():
        hs.sort(key=lambda h: (rank[h[4]], -h[5]))
    kept: dict[int, list[int]] = {}
    for (row, item) in sorted(groups, key=lambda k: (k[0], rank[groups[k][0][4]],
                                                     -groups[k][0][5])):
        if not any((min(item, k), max(item, k)) in duplicates for k in kept.get(row, [])):
            kept.setdefault(row, []).append(item)
    return {(row, i): groups[(row, i)] for row, its in kept.items() for i in its}


def to_findings(hits: list[tuple], meta: dict, items, gtexts, key: bytes | None,
                duplicates: set = frozenset()) -> list[Finding]:
    """hits: (row, field, role, golden text, method, score, start, end); meta: row -> (file,
    line, digest); duplicates: pairs of golden item indices that copy each other."""
    rank = {m: i for i, m in enumerate(METHODS)}
    groups: dict[tuple[int, int], list[tuple]] = {}
    for h in hits:
        groups.setdefault((h[0], gtexts[h[3]].item), []).append(h)
    out = []
    for (row, item), hs in _strongest(groups, rank, set(duplicates)).items():
        _, field, role, _, method, score, start, end = hs[0]
        scores = {}
        for h in hs:
            scores[h[4]] = max(scores.get(h[4], 0.0), round(h[5], 4))
        file, line, digest = meta[row]
        g = items[item]
        fp = fingerprint(key, f"leakage:{g.set_id}:{g.id}:{digest}") if key else None
        out.append(Finding(row=row, line=line, field=field, type=method, detector="leakage",
                           score=score, role=role, start=start, end=end, fingerprint=fp,
                           file=file, golden=g.id, method=method,
                           methods=sorted(scores, key=rank.get),
                           extra={"golden_set": g.set_name, "scores": scores}))
    return sorted(out, key=lambda f: (f.row, f.golden or ""))


def attribution(findings: list[Finding]) -> list[dict]:
    """Golden items that leaked, most often first: [{golden, golden_set, hits}]."""
    counts = Counter((f.extra.get("golden_set"), f.golden) for f in findings)
    return [{"golden": g, "golden_set": s, "hits": n}
            for (s, g), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))]


def golden_duplicates(gtexts, states: dict) -> dict[tuple[int, int], list[str]]:
    """Pairs of distinct golden items (indices) the lexical methods flag as copies, with the
    methods that flagged them."""
    pairs: dict[tuple[int, int], set] = {}
    for g in gtexts:
        for m, j, *_ in match_text(states, g.text):
            a, b = sorted((g.item, gtexts[j].item))
            if a != b:
                pairs.setdefault((a, b), set()).add(m)
    return {k: sorted(v) for k, v in sorted(pairs.items())}


def by_method(findings: list[Finding]) -> dict:
    """Per method: findings it hit (any position) and findings where it was the strongest."""
    out = {m: {"hits": 0, "strongest": 0} for m in METHODS}
    for f in findings:
        out[f.method]["strongest"] += 1
        for m in f.methods or []:
            out[m]["hits"] += 1
    return {m: v for m, v in out.items() if v["hits"]}
