"""Pluggable NER for the PII analyzer: `[pii] ner = "spacy:NAME|PATH"` or `"transformers:PATH"`.

The spaCy pipeline of `[pii] model` always tokenises (presidio's context words and govern's
features need tokens); the backend only decides the entities. `spacy:` loads another spaCy
pipeline (an installed package or a folder) whose `ner` replaces the default one;
`transformers:` runs any local token-classification model (a folder with config, weights and
tokenizer) through transformers' pipeline and writes its entities onto the spaCy doc. Models
are loaded only from this machine (`local_files_only`); a missing path or package is a
MissingDependency (exit 2). Labels map to spaCy's: PER/PERSON -> PERSON, LOC/LOCATION -> LOC,
GPE -> GPE, FAC -> FAC; other labels are kept as they are (not candidates).
"""
from __future__ import annotations

from pathlib import Path

from govern.errors import MissingDependency

KINDS = ("spacy", "transformers")
LABELS = {"PER": "PERSON", "PERSON": "PERSON", "LOC": "LOC", "LOCATION": "LOC", "GPE": "GPE",
          "FAC": "FAC", "ORG": "ORG"}


def parse(spec: str) -> tuple[str, str]:
    kind, sep, target = spec.partition(":")
    if not sep or kind not in KINDS or not target:
        raise MissingDependency(f"unknown NER backend {spec!r}",
                                hint='use "spacy:NAME_OR_PATH" or "transformers:PATH" in [pii] ner')
    return kind, target


def load(spec: str):
    """A callable that sets `doc.ents` on a list of tokenizer docs and returns them."""
    kind, target = parse(spec)
    return SpacyBackend(target) if kind == "spacy" else TransformersBackend(target)


class SpacyBackend:
    """Entities from another spaCy pipeline's `ner` over the same texts."""

    def __init__(self, target: str):
        from govern.pii.nlp import load_spacy
        self.nlp = load_spacy(target)
        if "ner" not in self.nlp.pipe_names:
            raise MissingDependency(f"spaCy pipeline {target!r} has no ner component",
                                    hint="[pii] ner needs a pipeline trained for NER")

    def __call__(self, docs: list) -> list:
        from spacy.util import filter_spans
        for doc, other in zip(docs, self.nlp.pipe([d.text for d in docs])):
            spans = [doc.char_span(e.start_char, e.end_char, label=e.label_, alignment_mode="expand")
                     for e in other.ents]
            doc.ents = filter_spans([s for s in spans if s is not None])
        return docs


class TransformersBackend:
    """Entities from a local token-classification model (transformers' pipeline, grouped)."""

    def __init__(self, target: str):
        if not Path(target).is_dir():
            raise MissingDependency(f"transformers NER model folder {target!r} not found",
                                    hint="[pii] ner = \"transformers:PATH\" takes a local model "
                                         "folder (nothing is downloaded)")
        try:
            from transformers import (AutoModelForTokenClassification, AutoTokenizer,
                                      pipeline)
        except ImportError:
            raise MissingDependency("the transformers NER backend needs the transformers and "
                                    "torch packages", hint="pip install transformers torch") from None
        try:
            model = AutoModelForTokenClassification.from_pretrained(target, local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(target, local_files_only=True)
        except (OSError, ValueError) as e:
            raise MissingDependency(f"cannot load a token-classification model from {target!r}: "
                                    f"{type(e).__name__}", hint="check the model folder") from None
        self.pipe = pipeline("token-classification", model=model, tokenizer=tokenizer,
                             aggregation_strategy="simple", device=-1)

    def __call__(self, docs: list) -> list:
        from spacy.util import filter_spans
        texts = [d.text for d in docs]
        results = self.pipe(texts) if texts else []
        for doc, found in zip(docs, results):
            spans = []
            for e in found:
                label = str(e.get("entity_group", e.get("entity", ""))).split("-")[-1].upper()
                span = doc.char_span(int(e["start"]), int(e["end"]), label=LABELS.get(label, label),
                                     alignment_mode="expand")
                if span is not None and span.text.strip():
                    spans.append(span)
            doc.ents = filter_spans(spans)
        return docs
