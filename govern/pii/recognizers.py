"""The recognizer registry a scan runs: presidio's predefined recognizers for the enabled
entities, govern's declared detectors, deny lists and the policy's extra YAML recognizers.

Only recognizers for entities the policy enables are loaded, which is most of the speed-up over
presidio's default registry on short texts.
"""
from __future__ import annotations

import os
import re
import tempfile

from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

from govern.pii.detectors import Detector, all_detectors
from govern.pii.settings import REPLACED

LANGUAGE = "en"


class DeclaredRecognizer(EntityRecognizer):
    """Runs one govern `Detector` inside presidio's registry."""

    def __init__(self, detector: Detector):
        self.detector = detector
        super().__init__(supported_entities=[detector.entity], name=detector.id,
                         supported_language=LANGUAGE, context=list(detector.context) or None)

    def load(self) -> None:
        """Compile the patterns now: a detector whose `needs` a text rarely meets would
        otherwise compile them in the middle of a scan, once per worker."""
        self.detector.prepare()

    def analyze(self, text, entities, nlp_artifacts=None):
        d = self.detector
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: d.id,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return [RecognizerResult(d.entity, s, e, d.score, recognition_metadata=dict(meta))
                for s, e in d.find(text)]


class OfflineEmailRecognizer(EmailRecognizer):
    """presidio's email recognizer, validating domains with tldextract's bundled suffix list
    (the stock one tries to download the list on first use)."""

    _extract = None

    def validate_result(self, pattern_text: str):
        if OfflineEmailRecognizer._extract is None:
            import tldextract
            OfflineEmailRecognizer._extract = tldextract.TLDExtract(suffix_list_urls=(),
                                                                    cache_dir=None)
        return OfflineEmailRecognizer._extract(pattern_text).fqdn != ""


class CandidatePhoneRecognizer(PhoneRecognizer):
    """presidio's phone recognizer (python-phonenumbers), run only on windows around runs of
    digits instead of over the whole text: the same matches at a fraction of the cost, since
    the matcher's per-region scan dominated the scan time of short texts.

    Beyond presidio's 8 regions: a number written with its country code ("+41 44 612 33 90")
    is matched for any region, and a national form of any region ("8123 4471",
    "(07811) 302214", "61 402 17 88") counts where a phone word stands just before it and
    python-phonenumbers finds it a possible number in at least one region."""

    CANDIDATE = re.compile(r"[+(]?\d[\d \t().\-/]{4,30}\d")
    PAD = 3
    CUE = re.compile(r"(?i)phone|mobile|cell|call|tel\b|tel[.:]|fax|whatsapp|sms|text|number|"
                     r"contact|reach|desk|messag|dial|ring|landline|registered|answer|"
                     r"\bph\b|\bph[.:]|\bmob\b|\bmob[.:]|telefon|tlf")
    CUE_BEFORE = 48  # chars before a number searched for CUE ("call Dr. Anna-Maria Kowalski at")
    # a phone word right after the number: "555 0134 is my number", "0664 402685 (mobile)"
    CUE_AFTER = re.compile(r"(?i)\W{0,3}(?:\(?(?:mobile|cell|cellphone|home|work|office|landline|"
                           r"fax|tel|phone)\)|(?:is|was)\s+(?:my|his|her|their|our|your)\s+"
                           r"(?:phone|number|mobile|cell|landline))")
    # a literal escape ("Phone:\\n0664 402685" in logged or JSON-dumped text) is a separator
    SHAPE = re.compile(r"(?:(?<![\w.+/-])|(?<=\\[nrt]))(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,6}"
                       r"(?:[ .-]\d{1,6}){0,5}(?![\w/-]|[.,]\d)")
    NATIONAL_SCORE = 0.6
    SSN = re.compile(r"\d{3}-\d{2}-\d{4}$")  # a US social security number, not a phone

    def analyze(self, text, entities, nlp_artifacts=None):
        """presidio's matching, region by region, minus its second parse of every match, which
        only names the number's own region in the explanation (govern keeps no explanations)."""
        import phonenumbers
        results = []
        for start, end, cued in self._windows(text):
            window = text[start:end]
            found = []
            for region in self.supported_regions:
                for m in phonenumbers.PhoneNumberMatcher(window, region, leniency=self.leniency):
                    found.append(self._result(m.start + start, m.end + start, region))
            if not found:
                found = self._any_region(window, start, cued)
            results.extend(found)
        return EntityRecognizer.remove_duplicates(results)

    def _any_region(self, window: str, offset: int, cued: bool) -> list:
        import phonenumbers
        out = []
        for m in self.SHAPE.finditer(window):
            value = m.group()
            digits = sum(c.isdigit() for c in value)
            if not 6 <= digits <= 15 or self.SSN.match(value):
                continue
            if value.startswith("+"):
                try:
                    ok = phonenumbers.is_possible_number(phonenumbers.parse(value, None))
                except phonenumbers.NumberParseException:
                    ok = False
            elif cued and (digits >= 7 or not value.isdigit()):
                ok = any(phonenumbers.is_possible_number_string(value, r) for r in _NATIONAL)
            else:
                ok = False
            if ok:
                r = self._result(m.start() + offset, m.end() + offset, "ZZ")
                r.score = self.NATIONAL_SCORE
                out.append(r)
        return out

    def _result(self, start: int, end: int, region: str) -> RecognizerResult:
        return RecognizerResult(
            self.supported_entities[0], start, end, self.SCORE,
            analysis_explanation=self._get_analysis_explanation(region),
            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                  RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})

    def _windows(self, text):
        spans = []
        for m in self.CANDIDATE.finditer(text):
            value = m.group()
            digits = sum(c.isdigit() for c in value)
            cued = bool(self.CUE.search(text[max(0, m.start() - self.CUE_BEFORE):m.start()])
                        or self.CUE_AFTER.match(text, m.end()))
            if digits < 6 or (digits < 7 and not cued):
                continue
            if value.isdigit() and not cued:
                continue  # a bare digit run (order, tracking number) is a phone only when called one
            start, end = max(0, m.start() - self.PAD), min(len(text), m.end() + self.PAD)
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], end, spans[-1][2] or cued)
            else:
                spans.append((start, end, cued))
        return spans


# Regions whose national numbering plans a cued national form is checked against: one per
# distinct plan length pattern is enough for "possible" (length) checks.
_NATIONAL = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "NO", "SE", "DK", "CH", "AU", "BR", "IN",
             "JP", "CN", "SG", "HU", "PL", "ZA", "MX", "IE", "GL", "PT", "GR", "CZ")


def build_registry(settings: dict, nlp_engine) -> tuple[RecognizerRegistry, set[str]]:
    """The registry for these settings, and the names of recognizers from the policy's YAML."""
    enabled = set(settings["entities"])
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=nlp_engine)
    keep = []
    for r in registry.recognizers:
        if type(r).__name__ in REPLACED or not enabled & set(r.supported_entities):
            continue
        keep.append(_faster(r))
    registry.recognizers = keep
    for d in all_detectors():
        if d.entity in enabled:
            registry.add_recognizer(DeclaredRecognizer(d))
    for entity, words in settings["deny"].items():
        if words:
            registry.add_recognizer(PatternRecognizer(supported_entity=entity, deny_list=words,
                                                      name=f"govern.deny.{entity}"))
    custom = _add_yaml(registry, settings["recognizer_files"])
    _add_context(registry, settings["context"])
    return registry, custom


def _faster(r: EntityRecognizer) -> EntityRecognizer:
    """Swap in govern's equivalents that avoid a download or a whole-text scan."""
    if isinstance(r, EmailRecognizer):
        return OfflineEmailRecognizer(name="EmailRecognizer")
    if isinstance(r, PhoneRecognizer):
        return CandidatePhoneRecognizer(name="PhoneRecognizer")
    return r


def _add_yaml(registry: RecognizerRegistry, files: list[dict]) -> set[str]:
    before = {id(r) for r in registry.recognizers}
    for f in files:
        fd, path = tempfile.mkstemp(suffix=".yaml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(f["text"])
            registry.add_recognizers_from_yaml(path)
        finally:
            os.unlink(path)
    return {r.name for r in registry.recognizers if id(r) not in before}


def _add_context(registry: RecognizerRegistry, context: dict[str, list[str]]) -> None:
    for r in registry.recognizers:
        extra = [w for e in r.supported_entities for w in context.get(e, [])]
        if extra:
            r.context = list(r.context or []) + extra


def detector_id(name: str, custom: set[str]) -> str:
    """Stable detector ids: govern.* as declared, custom.* from the policy, presidio.* otherwise."""
    if name.startswith("govern."):
        return name
    return ("custom." if name in custom else "presidio.") + name
