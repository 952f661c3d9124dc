"""Shared fixtures: golden texts built from strings, the lexical index, the real MiniLM."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from govern.leakage.golden import GoldenText  # noqa: E402
from govern.leakage.normalize import words  # noqa: E402
from govern.policy.load import Policy, validate  # noqa: E402

GOLDEN = [
    "I was charged twice for order 44120 on March 3 and I need a refund for the duplicate payment.",
    "My Zephyr X2 headphones stopped working after firmware update 2.3.1 and now show error E402.",
    "The parcel I sent to Lisbon has been stuck in customs for eleven days without any update.",
    "Please change the email on my Premium account because I no longer have access to the old one.",
]


def golden_texts(texts=GOLDEN):
    return [GoldenText(i, "text", t, tuple(words(t))) for i, t in enumerate(texts)]


@pytest.fixture(scope="session")
def policy():
    return Policy(validate({"version": 1}), None)


@pytest.fixture(scope="session")
def section(policy):
    return policy.section("leakage")


@pytest.fixture(scope="session")
def semantic(section):
    from govern.leakage.semantic import SemanticMatcher
    return SemanticMatcher(golden_texts(), section["semantic"])
