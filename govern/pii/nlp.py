"""The spaCy side of the PII analyzer: a pipeline cut to NER, its matrix products on numpy's
BLAS, and presidio NLP artifacts that compute tokens, lemmas and context keywords only on demand.

NER is most of a scan's time. Three things keep it cheap without changing a single entity:
only the `ner` component runs (no tagger, parser or lemmatizer: context words are matched on
lower-cased tokens), its layers multiply through numpy's OpenBLAS on one thread instead of
thinc's default blis kernels, about 30% faster per token on current x86 CPUs, and its
transitions are decoded for a whole batch at once (govern.pii.ner). The thread
limit matters: OpenBLAS would otherwise spin a second thread per worker process.
"""
from __future__ import annotations

import contextlib
from bisect import bisect_right

from govern.errors import MissingDependency
from govern.pii.ner import GreedyNer

EXCLUDED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer"]


def load_spacy(model: str):
    """The policy's spaCy model with only NER running; an installed package or a path."""
    import spacy
    try:
        nlp = spacy.load(model, exclude=EXCLUDED)
    except OSError:
        raise MissingDependency(f"spaCy model {model!r} is not installed",
                                hint="install its package with pip (no download happens at "
                                     "run time), or set [pii] model to a model folder") from None
    for name, pipe in list(nlp.pipeline):  # drop a shared tok2vec nobody listens to any more
        if name == "tok2vec" and not getattr(pipe, "listening_components", []):
            nlp.remove_pipe(name)
    _numpy_products(nlp)
    return nlp


def _numpy_products(nlp) -> None:
    from thinc.api import NumpyOps
    ops = NumpyOps(use_blis=False)
    for _, pipe in nlp.pipeline:
        if getattr(pipe, "model", None) is not None:
            for node in pipe.model.walk():
                node.ops = ops


class OneBlasThread:
    """A reusable context that holds numpy's BLAS to one thread (and restores it after)."""

    def __init__(self):
        try:
            from threadpoolctl import ThreadpoolController
            self.controller = ThreadpoolController()
        except ImportError:  # threadpoolctl comes with scikit-learn; without it, run as is
            self.controller = None

    def __call__(self):
        if self.controller is None:
            return contextlib.nullcontext()
        return self.controller.limit(limits=1, user_api="blas")


def ner_only_engine(model: str, ner: str = ""):
    """presidio's spaCy engine over the NER-only pipeline, with lazy artifacts; `ner` names
    another NER backend (govern.pii.ner_backends) whose entities replace the model's."""
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

    class LazyArtifacts(NlpArtifacts):
        """presidio's artifacts for one doc. Token offsets, lemmas (lower-cased tokens) and
        context keywords are computed on first use: only results that need context read them,
        and most texts have none. `token_ends` and `keyword_set` serve the indexed context
        lookup in govern.pii.context."""

        def __init__(self, doc, entities, scores, nlp_engine):  # noqa: D107 (no super: all lazy)
            self.tokens, self.entities, self.nlp_engine = doc, entities, nlp_engine
            self.scores = scores if scores else [0.85] * len(entities)
            self._indices = self._ends = self._lemmas = self._keywords = self._keyword_set = None

        text: str | None = None  # the doc's text when the caller has it (saves a re-join)

        def _offsets(self) -> None:
            from spacy.attrs import IDX, LENGTH
            pairs = self.tokens.to_array([IDX, LENGTH]).tolist() if len(self.tokens) else []
            self._indices = [a for a, _ in pairs]
            self._ends = [a + n for a, n in pairs]

        @property
        def tokens_indices(self) -> list[int]:
            if self._indices is None:
                self._offsets()
            return self._indices

        @property
        def token_ends(self) -> list[int]:
            if self._ends is None:
                self._offsets()
            return self._ends

        @property
        def lemmas(self) -> list[str]:
            """Lower-cased tokens (spaCy's `lower_` is `str.lower` of the token text), cut
            from the text by offset rather than through one Token object per token."""
            if self._lemmas is None:
                text = self.text if self.text is not None else self.tokens.text
                self._lemmas = [text[a:e].lower()
                                for a, e in zip(self.tokens_indices, self.token_ends)]
            return self._lemmas

        @property
        def keywords(self) -> list[str]:
            if self._keywords is None:
                self._keywords = NlpArtifacts.set_keywords(self.nlp_engine, self.lemmas, "en")
            return self._keywords

        @property
        def keyword_set(self) -> set[str]:
            if self._keyword_set is None:
                self._keyword_set = set(self.keywords)
            return self._keyword_set

        def token_at(self, start: int) -> int | None:
            """Index of the first token ending after `start` (presidio's linear search)."""
            i = bisect_right(self.token_ends, start)
            return i if i < len(self.token_ends) else None

    class NerOnlyEngine(SpacyNlpEngine):
        decoder = None  # govern.pii.ner.GreedyNer where the pipeline allows it

        def _doc_to_nlp_artifact(self, doc, language):
            entities, scores = self._get_updated_entities(
                self._get_entities(doc), self._get_scores_for_entities(doc))
            return LazyArtifacts(doc, entities, scores, self)

        backend = None  # govern.pii.ner_backends: entities from another model ([pii] ner)

        def docs(self, texts: list[str], batch_size: int):
            """spaCy docs of a batch, NER through govern's decoder where the pipeline allows."""
            nlp = self.nlp["en"]
            if self.backend is not None:
                return self.backend([nlp.make_doc(t) for t in texts])
            if self.decoder is not None:
                return self.decoder([nlp.make_doc(t) for t in texts])
            return nlp.pipe(texts, batch_size=batch_size)

        def process_text(self, text: str, language: str):
            return self._doc_to_nlp_artifact(next(iter(self.docs([text], 1))), language)

        def artifacts(self, texts: list[str], batch_size: int) -> list:
            """Artifacts of a batch: presidio's process_batch without the re-joined `doc.text`
            it pairs each one with (govern has the texts). NER runs through govern's
            vectorised decoder where the pipeline allows it, else through `nlp.pipe`."""
            out = []
            for text, doc in zip(texts, self.docs(texts, batch_size)):
                out.append(self._doc_to_nlp_artifact(doc, "en"))
                out[-1].text = text
            return out

    engine = NerOnlyEngine(models=[{"lang_code": "en", "model_name": model}])
    engine.nlp = {"en": load_spacy(model)}
    if ner:
        from govern.pii.ner_backends import load
        engine.backend = load(ner)
    else:
        engine.decoder = GreedyNer.for_pipeline(engine.nlp["en"])
    return engine
