"""Pluggable NER ([pii] ner): a tiny spaCy pipeline and a tiny randomly initialised
transformers token classifier, both built here from a config, and the missing-model errors."""
from __future__ import annotations

import pytest

from govern.errors import MissingDependency
from govern.pii.ner_backends import load, parse
from tests.pii.conftest import write_jsonl

WORDS = ["alice", "met", "bob", "in", "paris", "today"]


@pytest.fixture(scope="module")
def tiny_spacy(tmp_path_factory):
    """A blank English pipeline with an NER trained for a few steps on one sentence."""
    import spacy
    from spacy.training import Example
    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "GPE"):
        ner.add_label(label)
    example = Example.from_dict(nlp.make_doc("Alice met Bob in Paris today"),
                                {"entities": [(0, 5, "PERSON"), (10, 13, "PERSON"), (17, 22, "GPE")]})
    optimizer = nlp.initialize(lambda: [example])
    for _ in range(30):
        nlp.update([example], sgd=optimizer)
    path = tmp_path_factory.mktemp("ner") / "tiny_spacy"
    nlp.to_disk(path)
    return nlp, path


@pytest.fixture(scope="module")
def tiny_transformers(tmp_path_factory):
    """A 1-layer BERT token classifier from a config, its output bias set so that every word
    is the beginning of a person (random weights otherwise)."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast
    path = tmp_path_factory.mktemp("ner") / "tiny_bert"
    path.mkdir()
    (path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]))
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=True)
    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    config = BertConfig(vocab_size=len(WORDS) + 5, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=len(labels),
                        id2label=dict(enumerate(labels)), label2id={k: i for i, k in enumerate(labels)})
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 10.0, 0.0, 0.0, 0.0]))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _docs(backend, texts):
    import spacy
    nlp = spacy.blank("en")
    return backend([nlp.make_doc(t) for t in texts])


def test_spacy_backend_gives_the_pipelines_own_entities(tiny_spacy):
    nlp, path = tiny_spacy
    texts = ["Alice met Bob in Paris today", "Bob met Alice", "nothing here"]
    got = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in _docs(load(f"spacy:{path}"), texts)]
    want = [[(e.start_char, e.end_char, e.label_) for e in nlp(t).ents] for t in texts]
    assert got == want and got[0]


def test_transformers_backend_writes_the_models_entities(tiny_transformers):
    (doc,) = _docs(load(f"transformers:{tiny_transformers}"), ["alice met bob"])
    assert [(e.text, e.label_) for e in doc.ents] == [("alice", "PERSON"), ("met", "PERSON"),
                                                      ("bob", "PERSON")]


def test_the_analyzer_uses_the_backend_for_candidates(settings, tiny_transformers):
    from govern.pii.analyzer import PiiAnalyzer
    analyzer = PiiAnalyzer({**settings, "ner": f"transformers:{tiny_transformers}"})
    (cands,) = analyzer.candidate_features(["alice met bob"])
    ner = {(e, s, t) for e, s, t, f in cands if f.get(f"{e}:src=ner")}
    assert ner == {("PERSON", 0, 5), ("PERSON", 6, 9), ("PERSON", 10, 13)}


@pytest.mark.parametrize("spec,message", [
    ("transformers:/no/such/folder", "not found"),
    ("spacy:/no/such/pipeline", "not installed"),
    ("gliner:/models/x", "unknown NER backend"),
    ("transformers:", "unknown NER backend"),
])
def test_a_missing_model_or_backend_is_a_missing_dependency(spec, message):
    with pytest.raises(MissingDependency, match=message):
        load(spec) if spec.count(":") and spec.split(":")[1] else parse(spec)


@pytest.mark.parametrize("ner, says", [
    ("transformers:/no/such/model", "not found"),     # a missing model
    ("gliner:/models/x", "ner"),                       # a backend govern does not know
])
def test_a_policy_ner_that_cannot_load_exits_2(govern, tmp_path, ner, says):
    policy = tmp_path / "govern.toml"
    policy.write_text(policy.read_text().replace('ner = ""', f'ner = "{ner}"', 1))
    path = tmp_path / "d.jsonl"
    write_jsonl(path, [{"text": "hello Alice"}])
    res = govern("scan", "pii", path, "--workers", "1")
    assert res.exit_code == 2 and says in res.output
