"""The detector base: a detector's `needs` may only skip texts its pattern cannot match."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from govern.pii.detectors import all_detectors
from tests.pii.test_identifiers import CASES as IDENTIFIER_CASES
from tests.pii.test_international import FOUND as INTERNATIONAL_CASES
from tests.pii.test_secrets import CASES as SECRET_CASES

WITH_NEEDS = [d for d in all_detectors() if d.needs]
TEXTS = ([t for _, t, _ in IDENTIFIER_CASES] + [t for _, t, _ in SECRET_CASES]
         + [t for t, _, _ in INTERNATIONAL_CASES])


def _contains_a_need(detector, match: str) -> bool:
    fold = (lambda s: s.lower()) if detector.flags & re.I else (lambda s: s)
    return any(fold(n) in fold(match) for n in detector.needs)


@pytest.mark.parametrize("detector", WITH_NEEDS, ids=lambda d: d.id)
def test_every_match_contains_a_need(detector):
    matched = [m.group() for t in TEXTS for m in detector.regex.finditer(t)]
    assert matched and all(_contains_a_need(detector, m) for m in matched)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=3),
       st.sampled_from(WITH_NEEDS), st.booleans())
def test_needs_skip_only_texts_without_a_match(texts, detector, upper):
    """Texts cut and recombined: find() with the prefilter equals the pattern's own matches."""
    text = " ".join(t[len(t) // 3:] + t[:len(t) // 3] for t in texts)
    text = text.upper() if upper else text
    assert list(detector.find(text)) == list(_spans(detector, text))


def _spans(detector, text):
    """Detector.find without the prefilter."""
    for m in detector.regex.finditer(text):
        start, end = m.span("value") if "value" in detector.regex.groupindex else m.span()
        if start != end and (detector.validate is None or detector.validate(text[start:end])):
            yield start, end
