"""Text folding shared by every leakage method: NFKC, case, whitespace, punctuation, numbers.

Two texts that differ only in case, spacing, punctuation or thousands separators fold to the
same word list, so exact match and n-gram counts are not fooled by cosmetic edits.
"""
from __future__ import annotations

import re
import unicodedata

import xxhash

WORD = re.compile(r"\w+")
TOKEN = re.compile(r"[\w$£€#@.,:/-]*\w")
THOUSANDS = re.compile(r"(?<=\d)[,.\u202f\u00a0'](?=\d{3}(?!\d))")
NUMBER_NOISE = re.compile(r"(?<=\d)\.0+(?!\d)|(?<![\w.])0+(?=\d)")  # 12.00 -> 12, 007 -> 7


def words(text: str) -> list[str]:
    """The folded words of a text (NFKC, casefold, punctuation dropped, 1,200.00 -> 1200)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return WORD.findall(NUMBER_NOISE.sub("", THOUSANDS.sub("", text)).casefold())


def folded(text: str) -> str:
    """The text as one folded string: words joined by single spaces."""
    return " ".join(words(text))


def key(text: str) -> int:
    """A stable 64-bit key for a folded string (same in every process and run)."""
    return xxhash.xxh64_intdigest(text.encode("utf-8"))


def word_spans(text: str) -> list[tuple[int, int]] | None:
    """Character offsets of each folded word in the original text, or None if folding
    changed the word count (then a finding carries no offsets rather than wrong ones)."""
    spans = [m.span() for m in WORD.finditer(text)]
    return spans if len(spans) == len(words(text)) else None


def span_of(text: str, first_word: int, last_word: int) -> tuple[int | None, int | None]:
    """Offsets in the original text covering folded words first..last (inclusive)."""
    spans = word_spans(text)
    if not spans or last_word >= len(spans):
        return None, None
    return spans[first_word][0], spans[last_word][1]


def details(text: str) -> set[str]:
    """The specifics of a text: numbers (digit runs), capitalised names, folded. Same-topic
    texts share wording; a copy of one particular item also shares these."""
    out, start = set(), True
    for m in TOKEN.finditer(text):
        tok = m.group()
        if any(c.isdigit() for c in tok):
            out.update(n.lstrip("0") or "0" for n in re.findall(r"\d+", " ".join(words(tok))))
        elif not start and tok[0].isupper() and not tok.isupper():
            out.update(words(tok))
        start = tok[-1] in ".!?" or text[m.end():m.end() + 1] in ".!?,:;"
    return out
