"""A second view for NER on texts typed in lower case or in capitals.

spaCy's English models lean on capital letters: in "hi i'm sarah connor from leeds" they see
no name at all, and in capitals everything looks like an organisation. For such texts the
analyzer also runs NER on a case-restored copy of the same length, where words that a
gazetteer knows as a given name or a place (and that are not stop words) get a capital, and
so do rare words ("okonjo") and the word after a given name ("sarah connor"). Offsets are the same in both views,
so the view's entities are candidates on the original text; the learned span filter decides
which of them to report.
"""
from __future__ import annotations

import functools
import re

from govern.pii import gazetteer

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
LOWER_RATIO = 0.15   # at most this share of words (after the first) capitalised: a lower-case text
UPPER_RATIO = 0.6    # at least this share of words in capitals: an all-caps text
COMMON = 5.5         # words more common than this (Zipf) stay as they are ("will", "may")
RARE = 2.5           # words this rare are restored too (misspelt or unlisted names: "kaite")
SURNAME = 5.0        # a word after a restored given name, unless more common than this


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS)


def text_case(text: str) -> str:
    """'lower', 'upper' or 'normal'."""
    words = [w for w in _TOKEN.findall(text) if len(w) > 1]
    if len(words) < 2:
        return "normal"
    upper = sum(w.isupper() for w in words)
    if len(words) >= 3 and upper / len(words) >= UPPER_RATIO:
        return "upper"
    rest = words[1:]
    capital = sum(w[0].isupper() for w in rest)
    return "lower" if capital / len(rest) <= LOWER_RATIO else "normal"


def restore(text: str, case: str) -> str | None:
    """The case-restored view of a 'lower' or 'upper' text, or None when nothing changes."""
    base = text.lower() if case == "upper" else text
    if len(base) != len(text):
        return None
    names, places, stops = gazetteer.given_names(), gazetteer.places(), _stop_words()
    tokens = list(_TOKEN.finditer(base))
    words = [m.group() for m in tokens]
    plain = [w.islower() and len(w) > 1 and w not in stops for w in words]
    zipfs = [gazetteer.zipf(w) if p else 9.0 for w, p in zip(words, plain)]
    known = [p and (w in names or w in places) and z < COMMON
             for w, p, z in zip(words, plain, zipfs)]
    chars, changed = list(base), False
    for i, m in enumerate(tokens):
        w = m.group()
        rare = plain[i] and len(w) > 2 and zipfs[i] < RARE
        surname = plain[i] and i > 0 and known[i - 1] and words[i - 1] in names and zipfs[i] < SURNAME
        if known[i] or rare or surname:
            up = w[0].upper()
            if len(up) == 1:
                chars[m.start()] = up
                changed = True
    return "".join(chars) if changed or case == "upper" else None
