"""The method registry and the lexical batch job shared by the local and Ray engines.

Golden indexes are built once in the parent (`build_lexical`) and travel inside the job;
each batch is a list of (row, [(field, role, text)]) and yields raw hits as tuples
(row, field, role, golden text index, method, score, start, end).
"""
from __future__ import annotations

from govern.engine.local import BatchJob
from govern.leakage.methods import Exact, NGram, Substring
from govern.leakage.minhash import MinHashContainment
from govern.leakage.normalize import details, folded, span_of, words
from govern.leakage.shingles import KeyBatch

LEXICAL = {m.id: m for m in (Exact(), NGram(13), NGram(8), Substring(), MinHashContainment())}
# Strongest first: a finding's `method` is the first of this order that hit.
METHODS = [*LEXICAL, "semantic"]
SEMANTIC_VERSION = 1


def method_versions() -> dict[str, int]:
    return {**{m: d.version for m, d in LEXICAL.items()}, "semantic": SEMANTIC_VERSION}


def build_lexical(gtexts, methods: list[str], section: dict) -> dict:
    """Index the golden texts for each chosen lexical method, plus what verification needs:
    each golden text's specifics (a partial match must contain a share of them)."""
    states = {m: LEXICAL[m].build(gtexts, section.get(m, {})) for m in methods if m in LEXICAL}
    states["_details"] = [details(g.text) for g in gtexts]
    states["_specifics"] = section.get("specifics", 1.0)
    return states


def verified(states: dict, method: str, gtext: int, ws: set[str], text_details: set[str]
             ) -> bool:
    """A partial lexical match counts only if the text has the golden text's specifics
    (numbers, names): same-template tickets about other orders are not copies."""
    need = states["_details"][gtext]
    if method == "exact" or not need:
        return True
    return len(need & (ws | text_details)) / len(need) >= states["_specifics"]


def match_text(states: dict, text: str) -> list[tuple[str, int, float, int | None, int | None]]:
    """(method, golden text, score, start, end) for one training text."""
    return match_texts(states, [text])[0]


def match_texts(states: dict, texts: list[str]) -> list[list[tuple]]:
    """match_text for many texts; methods with `match_many` see the whole batch at once."""
    ws_all = [words(t) for t in texts]
    folds = [" ".join(ws) for ws in ws_all]
    raw: list[list[tuple]] = [[] for _ in texts]
    live = [k for k, ws in enumerate(ws_all) if ws]
    batch = KeyBatch([ws_all[k] for k in live])  # n-gram keys shared by every method
    for m, state in states.items():
        if m.startswith("_"):
            continue
        method = LEXICAL[m]
        if hasattr(method, "match_many"):
            found = method.match_many(state, batch)
        else:
            found = [method.match(state, texts[k], ws_all[k], folds[k]) for k in live]
        for k, hits in zip(live, found):
            raw[k].extend((m, h) for h in hits)
    return [_verify(states, texts[k], ws_all[k], raw[k]) for k in range(len(texts))]


def _verify(states: dict, text: str, ws: list[str], raw: list[tuple]) -> list[tuple]:
    out, wset, tdet = [], set(ws), None
    for m, h in raw:
        if m != "exact" and "_details" in states:
            tdet = details(text) if tdet is None else tdet
            if not verified(states, m, h.gtext, wset, tdet):
                continue
        start, end = span_of(text, h.first, h.last) if h.first is not None else (None, None)
        out.append((m, h.gtext, h.score, start, end))
    return out


class LexicalJob(BatchJob):
    """Every lexical method over a batch of training texts (picklable: plain data inside)."""

    def __init__(self, states: dict):
        self.states = states

    def run(self, state, batch: list) -> list:
        where = [(row, field, role) for row, items in batch for field, role, _ in items]
        found = match_texts(self.states, [t for _, items in batch for _, _, t in items])
        return [(*w, gi, m, score, start, end)
                for w, hits in zip(where, found) for m, gi, score, start, end in hits]


__all__ = ["LEXICAL", "METHODS", "LexicalJob", "build_lexical", "match_text", "match_texts",
           "folded"]
