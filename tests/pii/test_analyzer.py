"""The analyzer end to end (real spaCy + presidio): exact spans, look-alikes, chunk offsets."""
from __future__ import annotations

import pytest

from tests.pii.conftest import spans_of

CASES = [
    ("Please email jane.doe@example.org today", {("EMAIL_ADDRESS", "jane.doe@example.org")}),
    ("Call me on (212) 555-0199 after five", {("PHONE_NUMBER", "(212) 555-0199")}),
    ("card number 4111 1111 1111 1111 please", {("CREDIT_CARD", "4111 1111 1111 1111")}),
    ("IBAN DE89 3704 0044 0532 0130 00 for the refund", {("IBAN_CODE", "DE89 3704 0044 0532 0130 00")}),
    ("my ssn is 536-22-8741", {("US_SSN", "536-22-8741")}),
    ("login from 203.0.113.42 failed", {("IP_ADDRESS", "203.0.113.42")}),
    ("Jonathan Pryce wrote the report", {("PERSON", "Jonathan Pryce")}),
    ("hi i'm sarah connor, can you help", {("PERSON", "sarah connor")}),
    ("send it to 742 Evergreen Terrace please", {("STREET_ADDRESS", "742 Evergreen Terrace")}),
    ("key AKIAZ7QX4MRT2LBN5KWE leaked", {("SECRET_AWS_ACCESS_KEY", "AKIAZ7QX4MRT2LBN5KWE")}),
    # look-alikes: nothing to report
    ("Order #12345678 shipped with tracking 1Z999AA10123456784", set()),
    ("product code AB-1234-XY, version 2.3.1, build 20240115", set()),
    ("the price went from 120.50 to 135.00 dollars", set()),
    ("sku 4111-2222 replaced part 555-12", set()),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_spans(analyzer, text, expected):
    assert spans_of(analyzer, text) == expected


def test_email_wins_over_the_name_inside_it(analyzer):
    assert spans_of(analyzer, "write to john.smith@example.com") == \
        {("EMAIL_ADDRESS", "john.smith@example.com")}


def test_long_text_chunks_map_offsets_back(settings):
    from govern.pii.analyzer import PiiAnalyzer, chunks
    filler = "The weather was fine and the meeting went on as planned. " * 40
    text = filler + "Reach jane.doe@example.org or 415-555-0132. " + filler + \
        "Key AKIAZ7QX4MRT2LBN5KWE. " + filler
    small = PiiAnalyzer({**settings, "chunk_chars": 1000})
    (chunked,) = small.analyze([text])
    assert len(chunks(text, 1000)) > 5
    got = {(e, text[s:t]) for e, s, t, _, _ in chunked}
    assert got == {("EMAIL_ADDRESS", "jane.doe@example.org"), ("PHONE_NUMBER", "415-555-0132"),
                   ("SECRET_AWS_ACCESS_KEY", "AKIAZ7QX4MRT2LBN5KWE")}


def test_text_over_the_limit_fails_instead_of_passing(settings):
    from govern.pii.analyzer import PiiAnalyzer
    tiny = PiiAnalyzer({**settings, "max_text_chars": 50})
    ok, too_long = tiny.analyze(["short text", "x" * 51])
    assert ok == [] and too_long == "TextTooLong"


@pytest.mark.parametrize("text", [
    "Call Jürgen Weiß at +49 30 1234567 tomorrow; he's gonna say: don't!",
    "İstanbul office — ǅemal's e-mail is dz.emal@example.com\tand\nthat's it.",
    "   ", "",
])
def test_artifact_lemmas_and_offsets_equal_spacy_tokens(analyzer, text):
    """Lemmas cut from the text by offset are spaCy's own lower_ of each token."""
    art, = analyzer.engine.artifacts([text], batch_size=1)
    doc = art.tokens
    assert art.lemmas == [t.lower_ for t in doc]
    assert art.tokens_indices == [t.idx for t in doc]
    assert art.token_ends == [t.idx + len(t) for t in doc]
