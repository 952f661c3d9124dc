"""Recall self-test: plant transformed copies of golden items and count what each method catches.

Copies are planted into a throwaway sample of the training stream (host texts taken from
the scanned data), never into the data itself. A planted copy is caught by a method when
that method flags it *and* names the golden item it came from.
"""
from __future__ import annotations

import random
import re

from govern.leakage.detect import match_text

SYNONYMS = {
    "order": "purchase", "problem": "issue", "issue": "problem", "help": "assist",
    "need": "require", "want": "would like", "get": "receive", "buy": "purchase",
    "charged": "billed", "refund": "reimbursement", "cancel": "call off", "account": "profile",
    "password": "passcode", "received": "got", "arrived": "come", "package": "parcel",
    "broken": "damaged", "fix": "resolve", "please": "kindly", "quickly": "fast",
    "question": "query", "change": "update", "email": "e-mail", "shipping": "delivery",
    "address": "location", "payment": "transaction", "cannot": "can't", "can't": "cannot",
    "explain": "describe", "show": "display", "error": "fault", "wrong": "incorrect",
    "answer": "reply", "find": "locate", "start": "begin", "end": "finish", "big": "large",
    "small": "little", "fast": "quick", "happy": "glad", "tell": "inform", "use": "utilize",
}
KINDS = ["exact", "case_space_punct", "rewrapped", "embedded", "word_order", "synonyms",
         "numbers"]


def _case_space_punct(text: str, rng: random.Random) -> str:
    out = re.sub(r"[,.!?;:](?=\s|$)", lambda m: rng.choice(["", m.group(), " " + m.group()]), text)
    out = re.sub(r" ", lambda m: rng.choice([" ", "  ", "\t"]), out)
    return out.upper() if rng.random() < 0.5 else out.lower()


def _rewrapped(text: str, rng: random.Random) -> str:
    ws = text.split()
    width = rng.randint(5, 9)
    return "\n".join(" ".join(ws[i:i + width]) for i in range(0, len(ws), width))


def _word_order(text: str, rng: random.Random) -> str:
    parts = [p for p in re.split(r"(?<=[.!?,;])\s+", text) if p]
    if len(parts) > 1:
        k = rng.randint(1, len(parts) - 1)
        return " ".join(parts[k:] + parts[:k])
    ws = text.split()
    k = len(ws) // 2
    return " ".join(ws[k:] + ws[:k])


def _synonyms(text: str, rng: random.Random) -> str:
    return re.sub(r"\b\w+(?:'\w+)?\b", lambda m: SYNONYMS.get(m.group().lower(), m.group()), text)


def _numbers(text: str, rng: random.Random) -> str | None:
    if not re.search(r"\d", text):
        return None
    out = re.sub(r"(?<![\d.,])\d{4,}(?![\d.,])", lambda m: f"{int(m.group()):,}", text)
    out = re.sub(r"\$(\d+)(?![\d.,])", r"$\1.00", out)
    return out if out != text else re.sub(r"\b(\d+)\b", r"0\1", text)


def plant(text: str, kind: str, host: str, rng: random.Random) -> str | None:
    """A transformed copy of a golden text, or None when the kind does not apply."""
    if kind == "exact":
        return text
    if kind == "embedded":
        return (f"{host.strip()}\n\nAlso, here is another message to handle the same way: "
                f"{text} Please write a short reply.")
    return {"case_space_punct": _case_space_punct, "rewrapped": _rewrapped,
            "word_order": _word_order, "synonyms": _synonyms, "numbers": _numbers}[kind](text, rng)


def run_self_test(gtexts, states: dict, semantic, methods: list[str], hosts: list[str],
                  sample: int, seed: int = 0) -> tuple[dict, dict]:
    """Per-method {planted, caught, recall} (plus "any") and per-kind counts."""
    rng = random.Random(seed)
    first = {}
    for i, g in enumerate(gtexts):
        first.setdefault(g.item, i)
    chosen = sorted(rng.sample(sorted(first.values()), min(sample, len(first))))
    planted = []  # (kind, golden text index, planted text)
    for gi in chosen:
        host = hosts[rng.randrange(len(hosts))] if hosts else "Hello, I have a question."
        for kind in KINDS:
            text = plant(gtexts[gi].text, kind, host, rng)
            if text is not None:
                planted.append((kind, gi, text))
    caught = {m: set() for m in methods}
    for n, (_, gi, text) in enumerate(planted):
        for m, hit, *_ in match_text(states, text):
            if gtexts[hit].item == gtexts[gi].item:
                caught[m].add(n)
    if semantic is not None:
        for row, _, _, hit, m, *_ in semantic.match([(n, "text", None, t) for n, (_, _, t)
                                                     in enumerate(planted)]):
            if gtexts[hit].item == gtexts[planted[row][1]].item:
                caught[m].add(row)
    caught["any"] = set().union(*caught.values()) if caught else set()
    total = len(planted)
    per_method = {m: {"planted": total, "caught": len(c),
                      "recall": round(len(c) / total, 4) if total else None}
                  for m, c in caught.items()}
    by_kind = {}
    for kind in KINDS:
        ns = [n for n, p in enumerate(planted) if p[0] == kind]
        by_kind[kind] = {"planted": len(ns), "caught": len(set(ns) & caught["any"]),
                         **{m: len(set(ns) & caught[m]) for m in methods}}
    return per_method, by_kind
