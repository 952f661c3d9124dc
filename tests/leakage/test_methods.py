"""Each lexical method against tables of true and false cases (real datasketch, real folding)."""
from __future__ import annotations

import pytest

from govern.leakage.detect import build_lexical, match_text
from tests.leakage.conftest import GOLDEN, golden_texts

G0, G1, G2, G3 = GOLDEN
LONG_HOST = ("Hello support team, I hope you are well and having a good week so far. I have a "
             "few things to raise today about my account and recent orders. ")


@pytest.fixture(scope="module")
def states(section):
    return build_lexical(golden_texts(), ["exact", "ngram13", "ngram8", "substring", "minhash"],
                         section)


def hits(states, method, text):
    return {g for m, g, *_ in match_text({method: states[method]}, text)}


CASES = [
    # (method, training text, golden text index expected or None)
    ("exact", G0, 0),
    ("exact", G0.upper().replace(" ", "  "), 0),
    ("exact", G0.replace(",", "").replace(".", "!"), 0),
    ("exact", LONG_HOST + G0, None),                       # embedded: not a whole-text copy
    ("exact", G0.replace("44120", "44121"), None),
    ("ngram13", LONG_HOST + G2, 2),
    ("ngram13", G2.lower(), 2),
    ("ngram13", "The parcel I sent to Lisbon has been delayed a bit.", None),
    ("ngram13", "My parcel to Lisbon was stuck in customs for a day.", None),
    ("ngram8", LONG_HOST + G3, 3),
    ("ngram8", "Please change the email on my Basic plan, thanks.", None),
    ("ngram8", "Please change the shipping address on my order.", None),
    ("substring", LONG_HOST + G1.upper(), 1),
    ("substring", G1.replace("\n", " "), 1),
    ("substring", "My Zephyr X2 headphones are great, thank you.", None),
    ("minhash", G2, 2),
    ("minhash", LONG_HOST + G0 + " Thank you very much for your help with this.", 0),
    ("minhash", G0.replace("duplicate", "double"), 0),       # one word edited
    ("minhash", "I was charged for order 99 on June 1 and want my money.", None),
    ("minhash", LONG_HOST, None),
]


@pytest.mark.parametrize("method, text, expected", CASES)
def test_method_table(states, method, text, expected):
    found = hits(states, method, text)
    assert found == ({expected} if expected is not None else set())


def test_offsets_point_at_the_copy_inside_a_longer_text(states):
    text = LONG_HOST + G2
    [(m, g, score, start, end)] = match_text({"ngram13": states["ngram13"]}, text)
    assert text[start:end] == G2.rstrip(".")
    assert score == pytest.approx(1.0)


def test_short_golden_texts_are_skipped_by_long_ngrams(section):
    st = build_lexical(golden_texts(["reset my password now please"]), ["ngram13"], section)
    assert match_text(st, "how do I reset my password now please") == []


@pytest.mark.parametrize("text, expected", [
    (G0.replace("44120", "99812").replace("March 3", "June 14"), set()),  # same template
    (G1.replace("2.3.1", "4.0.2").replace("E402", "E113"), set()),
    (LONG_HOST + G0, {0}),
    (G0.replace("duplicate", "double"), {0}),
    (G1.replace("2.3.1", "2.3.1 (latest)"), {1}),
])
def test_partial_matches_need_the_golden_specifics(states, text, expected):
    assert {g for _, g, *_ in match_text(states, text)} == expected
