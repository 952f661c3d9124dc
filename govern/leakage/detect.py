"""The method registry and the lexical batch job shared by the local and Ray engines.

Golden indexes are built once in the parent (`build_lexical`) and travel inside the job;
each batch is a list of (row, [(field, role, text)]) and yields raw hits as tuples
(row, field, role, golden text index, method, score, start, end).
"""
from __future__ import annotations

from govern.engine.local import BatchJob
from govern.leakage.methods import Exact, NGram, Substring
from govern.leakage.minhash import MinHashContainment
from govern.leakage.normalize import folded, span_of, words

LEXICAL = {m.id: m for m in (Exact(), NGram(13), NGram(8), Substring(), MinHashContainment())}
# Strongest first: a finding's `method` is the first of this order that hit.
METHODS = [*LEXICAL, "semantic"]
SEMANTIC_VERSION = 1


def method_versions() -> dict[str, int]:
    return {**{m: d.version for m, d in LEXICAL.items()}, "semantic": SEMANTIC_VERSION}


def build_lexical(gtexts, methods: list[str], section: dict) -> dict:
    """Index the golden texts for each chosen lexical method."""
    return {m: LEXICAL[m].build(gtexts, section.get(m, {})) for m in methods if m in LEXICAL}


def match_text(states: dict, text: str) -> list[tuple[str, int, float, int | None, int | None]]:
    """(method, golden text, score, start, end) for one training text."""
    ws = words(text)
    if not ws:
        return []
    fold = " ".join(ws)
    out = []
    for m, state in states.items():
        for h in LEXICAL[m].match(state, text, ws, fold):
            start, end = (span_of(text, h.first, h.last) if h.first is not None
                          else (None, None))
            out.append((m, h.gtext, h.score, start, end))
    return out


class LexicalJob(BatchJob):
    """Every lexical method over a batch of training texts (picklable: plain data inside)."""

    def __init__(self, states: dict):
        self.states = states

    def run(self, state, batch: list) -> list:
        hits = []
        for row, items in batch:
            for field, role, text in items:
                for m, gi, score, start, end in match_text(self.states, text):
                    hits.append((row, field, role, gi, m, score, start, end))
        return hits


__all__ = ["LEXICAL", "METHODS", "LexicalJob", "build_lexical", "match_text", "folded"]
