"""The semantic method with the real MiniLM: rephrasings caught, same-topic tickets not."""
from __future__ import annotations

import numpy as np
import pytest

from govern.leakage.semantic import details, windows
from tests.leakage.conftest import golden_texts

HOST = "Hi team, I hope your week is going well. I have one more thing to ask. "

CASES = [
    ("My card got billed two times for order 44120 on March 3, please give back the extra "
     "payment.", 0),
    ("Since installing firmware 2.3.1 my Zephyr X2 headphones are dead and display error E402.",
     1),
    (HOST + "For eleven days my shipment to Lisbon has been held at customs with no news.", 2),
    ("I lost access to my old inbox, so please update the email address on my Premium account.",
     3),
    ("I was charged twice for order 99812 on June 14 and I need a refund for the duplicate "
     "payment.", None),
    ("My Pulse earbuds stopped working after firmware update 4.0.2 and now show error E113.",
     None),
    ("How do I add a second user to my Premium account?", None),
    ("The weather in Lisbon was lovely this spring.", None),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_semantic_table(semantic, text, expected):
    found = {g for *_, g, m, s, a, b in semantic.match([(0, "text", None, text)])}
    assert found == ({expected} if expected is not None else set())


@pytest.mark.parametrize("text, expected", [
    ("Order 04412 was $1,200 on March 3rd.", {"4412", "1200", "march", "3"}),
    ("The Zephyr X2 broke.", {"zephyr", "2"}),
    ("Hello there. Nothing specific here.", set()),
])
def test_details_are_numbers_codes_and_names(text, expected):
    assert details(text) == expected


def test_windows_cover_each_sentence_and_the_whole_text():
    text = "One two. Three four! Five six?"
    got = {text[s:e] for s, e in windows(text)}
    assert {"One two.", "Three four!", "Five six?", text} <= got


def test_golden_embeddings_are_cached_in_the_store(tmp_path, section, semantic):
    from govern.leakage.semantic import SemanticMatcher
    from govern.store import init_store
    store, _ = init_store(tmp_path / ".govern")
    first = SemanticMatcher(golden_texts(), section["semantic"], store=store)
    count = "SELECT COUNT(*) FROM cache WHERE namespace LIKE 'leakage-embedding:%'"
    rows = store.db.execute(count).fetchone()[0]
    again = SemanticMatcher(golden_texts(), section["semantic"], store=store)
    assert rows >= len(golden_texts()) and store.db.execute(count).fetchone()[0] == rows
    assert np.allclose(first.golden, again.golden, atol=1e-6)
