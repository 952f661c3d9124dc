"""The learned span filter: fixed model, fixed decisions; refitting on the shipped rows gives
the shipped model; the lower-case view finds names no capital letter points at."""
from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from govern.pii.case_view import restore, text_case
from govern.pii.span_filter import SpanFilter, features, model_text, shipped
from tests.pii.conftest import spans_of

EXTRACT = Path(__file__).resolve().parents[2] / "bench" / "data" / "pii_filter_fit.jsonl.gz"
HAND_MODEL = {"format": 1, "version": 1, "intercept": -1.0, "context_vocab": ["was"],
              "weights": {"ent=PERSON": 0.5, "PERSON:gaz_given_first": 2.0,
                          "PERSON:next=was": 0.25, "PERSON:next=<other>": -3.0},
              "thresholds": {"PERSON": 0.6, "LOCATION": 0.5}}


def _feats(text, value, entity="PERSON", sources=("ner",), labels=("PERSON",), vocab=None):
    start = text.index(value)
    case = text_case(text)
    return features(text, start, start + len(value), entity, frozenset(sources),
                    frozenset(labels), case, vocab)


def test_a_fixed_model_gives_fixed_probabilities_and_decisions():
    f = SpanFilter(HAND_MODEL)
    # -1 + 0.5 (PERSON) + 2 (a given name in gender-guesser's list) + 0.25 (next word 'was')
    feats = _feats("Yuna was a huge fan", "Yuna", vocab=f.vocab)
    assert f.probability(feats) == pytest.approx(1 / (1 + math.exp(-1.75)))
    assert f.keep("PERSON", feats)[0]
    # no given name, and the next word is not in the model's vocabulary: <other>
    feats = _feats("Order arrived broken", "Order", vocab=f.vocab)
    assert "PERSON:next=<other>" in feats
    assert f.probability(feats) == pytest.approx(1 / (1 + math.exp(3.5)))
    assert not f.keep("PERSON", feats)[0]


@pytest.mark.parametrize("text,value,entity,sources,labels,keep", [
    ("Brecht and Okonjo were careful engineers", "Okonjo", "PERSON", ("ner",), ("PERSON",), True),
    ("Yuna was a huge fan", "Yuna", "PERSON", ("gazetteer",), (), True),
    ("Order arrived broken, Premium plan renewed", "Premium", "PERSON", ("ner",), ("PERSON",), False),
    ("hi i'm sarah connor from leeds", "leeds", "LOCATION", ("ner_case", "gazetteer"), ("case:GPE",), True),
    ("we will mark the bill as paid in may", "mark", "PERSON", ("ner_case",), ("case:PERSON",), False),
])
def test_the_shipped_model_decides_these_candidates(text, value, entity, sources, labels, keep):
    f = shipped()
    feats = _feats(text, value, entity, sources, labels, f.vocab)
    assert f.keep(entity, feats)[0] is keep


def test_refitting_on_the_shipped_rows_reproduces_the_shipped_model():
    from govern.pii.train_filter import fit
    with gzip.open(EXTRACT, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    ship = json.loads(model_text())
    again = fit(rows, version=ship["version"], fitted_on=ship["fitted_on"])
    assert again["context_vocab"] == ship["context_vocab"]
    assert again["thresholds"] == pytest.approx(ship["thresholds"], abs=1e-4)
    assert set(again["weights"]) ^ set(ship["weights"]) <= {
        k for k, w in ship["weights"].items() if abs(w) < 1e-4}
    for k, w in ship["weights"].items():
        assert again["weights"].get(k, 0.0) == pytest.approx(w, abs=1e-3), k
    assert again["intercept"] == pytest.approx(ship["intercept"], abs=1e-3)


def test_the_model_file_is_small_and_names_what_it_was_fitted_on():
    ship = json.loads(model_text())
    assert len(model_text()) < 300_000
    assert set(ship["thresholds"]) == {"PERSON", "LOCATION"}
    assert "wnut17" in ship["fitted_on"]["sets"] and ship["rows"] > 1000


@pytest.mark.parametrize("text,case", [
    ("hi i'm sarah connor from leeds", "lower"),
    ("MY NAME IS JOHN SMITH AND I LIVE IN BOSTON", "upper"),
    ("Order 1234 shipped to Lisbon on Monday", "normal"),
    ("ok", "normal"),
])
def test_text_case(text, case):
    assert text_case(text) == case


@pytest.mark.parametrize("text,view", [
    ("hi i'm sarah connor from leeds", "Hi i'm Sarah Connor from Leeds"),
    ("chidi okonjo will call you from lagos", "Chidi Okonjo will call you from Lagos"),
    ("MY NAME IS JOHN SMITH", "my name is John Smith"),
    ("we will pay the bill in may", "we will pay the Bill in may"),  # a given name; "will", "may" too common
    ("see you at the office", None),
])
def test_case_restored_view_keeps_offsets(text, view):
    got = restore(text, text_case(text))
    assert got == view
    assert got is None or len(got) == len(text)


@pytest.mark.parametrize("text,expected", [
    ("hi i'm sarah connor from leeds", {("PERSON", "sarah connor"), ("LOCATION", "leeds")}),
    ("i think jessica alba is the best actress", {("PERSON", "jessica alba")}),
    ("MY NAME IS JOHN SMITH AND I LIVE IN BOSTON", {("PERSON", "JOHN SMITH"), ("LOCATION", "BOSTON")}),
    ("we will mark the bill as paid in may", set()),
])
def test_lower_case_and_all_caps_texts(analyzer, text, expected):
    assert {s for s in spans_of(analyzer, text) if s[0] in ("PERSON", "LOCATION")} == expected
