"""The PII analyzer one worker runs: presidio's recognizers over a spaCy pipeline cut to NER.

Speed comes from the NER-only pipeline (govern.pii.nlp), batching texts through `nlp.pipe`,
loading only the recognizers the policy enables, and running them the way presidio's
AnalyzerEngine does, minus its per-text set-up. Long texts are cut into overlapping chunks at
whitespace and offsets are mapped back to the original text. Results are spans, never values.

Names and places are decided by the learned span filter (govern.pii.span_filter): NER on the
text, NER on a case-restored view of lower-case or all-caps texts (govern.pii.case_view),
govern's name cues and gazetteer hits all propose candidates, and the fitted model keeps those
whose probability reaches their entity's threshold.
"""
from __future__ import annotations

import functools
import json
import logging

from govern.errors import ScanError

# presidio's decision trace and debug logs could quote text: keep them quiet at every level.
QUIET_LOGGERS = ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "spacy")
OVERLAP = 200
# One pass over this at load time fills what presidio, spaCy and python-phonenumbers load on
# first use (compiled patterns, numbering-plan metadata of each region): ~140 ms that every
# forked worker, and a rescan of a few records, would otherwise pay on its first texts.
WARM_UP = ("Hi, I am Ana Lima from 742 Evergreen Terrace, Springfield. Call +1 415 555 0100, "
           "(415) 555-0100 or +44 20 7946 0958; mail ana.lima@example.com; card 4111 1111 1111 "
           "1111; IBAN DE89 3704 0044 0532 0130 00; SSN 078-05-1120; IP 192.168.10.4; "
           "password=hunter2hunter2.")
NLP_BATCH_TEXTS, NLP_BATCH_CHARS = 160, 64_000
Span = tuple  # (entity, start, end, score, detector)


def quiet_logs() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def import_presidio():
    """Import presidio-analyzer without its optional transformers/torch engines.

    presidio imports transformers (and torch) at import time only to offer a Hugging Face NLP
    engine govern does not use; that costs seconds in every worker. Its imports are guarded by
    `except ImportError`, so hiding the two modules for the duration skips them. Nothing is
    hidden when either is already imported, and both are restored afterwards.
    """
    import sys
    if "presidio_analyzer" in sys.modules or {"torch", "transformers"} & set(sys.modules):
        import presidio_analyzer
        return presidio_analyzer
    hidden = {name: sys.modules.get(name, _MISSING) for name in ("torch", "transformers")}
    try:
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]
        import presidio_analyzer
    finally:
        for name, old in hidden.items():
            if old is _MISSING:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    return presidio_analyzer


_MISSING = object()


def chunks(text: str, size: int) -> list[tuple[int, str]]:
    """(offset, piece) windows of at most `size` chars overlapping by OVERLAP, cut at whitespace."""
    if len(text) <= size:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > 0 else end
        out.append((start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - OVERLAP, start + 1)
    return out


class PiiAnalyzer:
    def __init__(self, settings: dict):
        import_presidio()
        from presidio_analyzer import AnalyzerEngine, EntityRecognizer
        from govern.pii.context import IndexedContextEnhancer
        from govern.pii.nlp import OneBlasThread, ner_only_engine
        from govern.pii.recognizers import build_registry
        from govern.pii import gazetteer
        from govern.pii.span_filter import shipped
        quiet_logs()
        gazetteer.load()
        self.filter = shipped()
        self.settings = settings
        self.engine = engine = ner_only_engine(settings["model"], settings.get("ner", ""))
        self.one_thread = OneBlasThread()
        registry, self.custom = build_registry(settings, engine)
        self.analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry,
                                       supported_languages=["en"],
                                       context_aware_enhancer=IndexedContextEnhancer())
        self.entities = settings["entities"]
        self.floor = min([settings["min_score"], *settings["min_scores"].values()])
        chosen = set(registry.get_recognizers("en", entities=self.entities))
        self.recognizers = [r for r in registry.recognizers if r in chosen]
        for r in self.recognizers:
            if not r.is_loaded:
                r.load()
                r.is_loaded = True
        self.with_context = {r.id for r in self.recognizers if r.context}
        # a recognizer with its own context step needs presidio's full per-text loop
        self.direct = all(type(r).enhance_using_context is EntityRecognizer.enhance_using_context
                          for r in self.recognizers)
        warm = list(self._pieces([WARM_UP]))  # lazy loads happen here, before any pool forks
        if isinstance(warm[0], str):
            raise ScanError(f"the PII analyzer failed its load-time check ({warm[0]})",
                            hint="check the [pii] model and recognizers in govern.toml")

    def analyze(self, texts: list[str]) -> list[list[Span] | str]:
        """Spans for every text, or the name of the error that stopped a text (fail closed)."""
        limit, size = self.settings["max_text_chars"], self.settings["chunk_chars"]
        pieces, owners, out = [], [], [[] for _ in texts]
        for i, t in enumerate(texts):
            if len(t) > limit:
                out[i] = "TextTooLong"
                continue
            for off, piece in chunks(t, size):
                pieces.append(piece)
                owners.append((i, off))
        for (i, off), result in zip(owners, self._pieces(pieces)):
            if isinstance(out[i], str):
                continue
            if isinstance(result, str):
                out[i] = result
            else:
                out[i].extend((e, s + off, t + off, sc, d) for e, s, t, sc, d in result)
        return [r if isinstance(r, str) else _dedupe(r) for r in out]

    def _pieces(self, pieces: list[str]):
        for group in _nlp_batches(pieces):
            yield from self._group(group)

    def _group(self, pieces: list[str]):
        try:
            with self.one_thread():
                docs = self.engine.artifacts(pieces, batch_size=len(pieces))
                views = self._views(pieces)
        except Exception:  # a bad text breaks the batch: go one by one to find it
            docs, views = [None] * len(pieces), [None] * len(pieces)
        for piece, doc, view in zip(pieces, docs, views):
            try:
                if doc is None:
                    with self.one_thread():
                        doc = self.engine.process_text(piece, "en")
                        view = self._views([piece])[0]
                yield self._spans(piece, doc, view)
            except Exception as e:
                yield type(e).__name__

    def _views(self, pieces: list[str]) -> list:
        """(case, NER doc of the case-restored view or None) per piece (govern.pii.case_view)."""
        from govern.pii.case_view import restore, text_case
        cases = [text_case(p) for p in pieces]
        restored = [restore(p, c) if c != "normal" else None for p, c in zip(pieces, cases)]
        todo = [i for i, v in enumerate(restored) if v is not None]
        out = [(c, None) for c in cases]
        if todo:
            docs = self.engine.docs([restored[i] for i in todo], batch_size=len(todo))
            for i, doc in zip(todo, docs):
                out[i] = (cases[i], doc)
        return out

    def _spans(self, text: str, artifacts, view) -> list[Span]:
        from govern.pii.recognizers import detector_id
        s = self.settings
        cands, rest = self._candidates(text, artifacts, view)
        spans = []
        for (entity, start, end), (feats, detector) in cands.items():
            keep, p = self.filter.keep(entity, feats)
            if keep:
                spans.append((entity, start, end, round(p, 4), detector))
        for r in rest:
            if r.score < s["min_scores"].get(r.entity_type, s["min_score"]):
                continue
            name = (r.recognition_metadata or {}).get("recognizer_name", "unknown")
            if not _plausible(text, r, name):
                continue
            spans.append((r.entity_type, r.start, r.end, round(float(r.score), 4),
                           detector_id(name, self.custom)))
        allow = self.settings["allow"]
        if allow:
            spans = [sp for sp in spans if text[sp[1]:sp[2]] not in allow]
        return spans

    def candidate_features(self, texts: list[str]) -> list[list[tuple[str, int, int, dict]]]:
        """Every PERSON/LOCATION candidate of each (short) text with its features, before the
        learned filter decides: what govern.pii.train_filter fits on."""
        out = []
        for group in _nlp_batches(texts):
            with self.one_thread():
                docs = self.engine.artifacts(group, batch_size=len(group))
                views = self._views(group)
            for text, doc, view in zip(group, docs, views):
                cands, _ = self._candidates(text, doc, view, vocab=None)
                out.append([(e, a, b, f) for (e, a, b), (f, _) in cands.items()])
        return out

    def _candidates(self, text: str, artifacts, view, vocab=False) -> tuple[dict, list]:
        """Name and place candidates ((features, detector id) by (entity, start, end)), and
        every other result. `vocab`:
        the context words features keep (default: the model's; None: all)."""
        vocab = self.filter.vocab if vocab is False else vocab
        from govern.pii import gazetteer
        from govern.pii.identifiers import plausible_entity
        from govern.pii.recognizers import detector_id
        from govern.pii.span_filter import FILTERED, features
        case, view_doc = view if view is not None else ("normal", None)
        proposals, rest = [], []
        for r in self._recognize(text, artifacts):
            name = (r.recognition_metadata or {}).get("recognizer_name", "unknown")
            if r.entity_type in FILTERED and name.startswith(("govern.person", "SpacyRecognizer")):
                if plausible_entity(text, r.start, r.end):
                    source = "ner" if name == "SpacyRecognizer" else name
                    proposals.append((r.entity_type, r.start, r.end, source,
                                      detector_id(name, self.custom)))
            else:
                rest.append(r)
        ents = [("", e.start_char, e.end_char, e.label_) for e in artifacts.tokens.ents]
        if view_doc is not None:
            for e in view_doc.ents:
                ents.append(("case:", e.start_char, e.end_char, e.label_))
                entity = NER_ENTITY.get(e.label_)
                if entity in FILTERED and entity in self.entities \
                        and plausible_entity(text, e.start_char, e.end_char):
                    proposals.append((entity, e.start_char, e.end_char, "ner_case",
                                      "govern.ner_case"))
        for entity, start, end in gazetteer.proposals(text if view_doc is None else view_doc.text):
            if entity in self.entities:
                proposals.append((entity, start, end, "gazetteer", "govern.gazetteer"))
        cands: dict = {}
        for entity, start, end, _, detector in proposals:
            if (entity, start, end) in cands:
                continue
            sources = frozenset(p[3] for p in proposals
                                if p[0] == entity and p[1] < end and start < p[2])
            labels = frozenset(v + lab for v, a, b, lab in ents if a < end and start < b)
            feats = features(text, start, end, entity, sources, labels, case, vocab)
            cands[(entity, start, end)] = (feats, detector)
        return cands, rest

    def _recognize(self, text: str, artifacts) -> list:
        """presidio's `AnalyzerEngine.analyze` for one text without its per-call set-up: the
        recognizers are chosen once, and only results whose recognizer has context words go
        through the context enhancer (the others pass through it unchanged). Results of one
        type inside each other are all kept: the span filter counts who agrees."""
        from presidio_analyzer import RecognizerResult
        if not self.direct:
            return self.analyzer.analyze(text, "en", entities=self.entities,
                                         nlp_artifacts=artifacts, score_threshold=self.floor)
        key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
        results = []
        for rec in self.recognizers:
            found = rec.analyze(text=text, entities=self.entities, nlp_artifacts=artifacts)
            for r in found or ():
                if not r.recognition_metadata:
                    r.recognition_metadata = {}
                r.recognition_metadata.setdefault(key, rec.id)
                results.append(r)
        todo = [i for i, r in enumerate(results) if r.recognition_metadata[key] in self.with_context]
        if todo:
            done = self.analyzer.context_aware_enhancer.enhance_using_context(
                text=text, raw_results=[results[i] for i in todo], nlp_artifacts=artifacts,
                recognizers=self.recognizers, context=None)
            for i, r in zip(todo, done):
                results[i] = r
        return [r for r in results if r.score >= self.floor]


# spaCy NER labels that are candidates, as presidio's spaCy engine maps them
NER_ENTITY = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION",
              "FAC": "LOCATION"}


def _nlp_batches(pieces: list[str]):
    """Runs of pieces for one `nlp.pipe` batch. NER is cheapest per character in batches of
    about a hundred short texts or a dozen long ones; the character cap bounds memory."""
    batch, chars = [], 0
    for p in pieces:
        if batch and (len(batch) >= NLP_BATCH_TEXTS or chars + len(p) > NLP_BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(p)
        chars += len(p)
    if batch:
        yield batch


def _plausible(text: str, r, recognizer: str) -> bool:
    """govern's validation of presidio's NER and phone results (see govern.pii.identifiers)."""
    from govern.pii.identifiers import plausible_entity, plausible_phone
    if recognizer == "SpacyRecognizer":
        return plausible_entity(text, r.start, r.end)
    if recognizer == "PhoneRecognizer":
        return plausible_phone(text, r.start, r.end, r.score)
    return True


def _dedupe(spans: list[Span]) -> list[Span]:
    """Merge overlapping spans of one type; drop a span inside a surer span of another type
    (the name inside an e-mail address, the digits inside a key)."""
    merged: list[list] = []
    for sp in sorted(spans, key=lambda x: (x[0], x[1], -x[2])):
        last = merged[-1] if merged else None
        if last and last[0] == sp[0] and sp[1] < last[2]:
            last[2] = max(last[2], sp[2])
            if sp[3] > last[3]:
                last[3], last[4] = sp[3], sp[4]
        else:
            merged.append(list(sp))
    keep = [tuple(m) for m in merged if not any(_covers(o, m) for o in merged if o is not m)]
    return sorted(keep, key=lambda x: (x[1], x[2], x[0]))


def _covers(o, m) -> bool:
    """o (another type) contains m and is surer (a secret always is), or is the same span and
    wins the tie (a pattern beats NER, then the alphabet decides)."""
    if o[0] == m[0] or not (o[1] <= m[1] and m[2] <= o[2]):
        return False
    if (o[1], o[2]) != (m[1], m[2]):
        return o[0].startswith("SECRET_") or o[3] >= m[3]
    ner = "presidio.SpacyRecognizer"
    return (o[3], m[4] == ner, m[0]) > (m[3], o[4] == ner, o[0])


@functools.lru_cache(maxsize=2)
def _cached(settings_json: str) -> PiiAnalyzer:
    return PiiAnalyzer(json.loads(settings_json))


def analyzer_for(settings: dict) -> PiiAnalyzer:
    """One analyzer per settings per process (forked workers inherit the parent's)."""
    return _cached(json.dumps(settings, sort_keys=True))
