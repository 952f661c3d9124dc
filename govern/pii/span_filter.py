"""The learned decision on name and place candidates: is this span personal data?

Every PERSON or LOCATION span that any source proposes (spaCy NER on the text, NER on the
lower-case view of it, govern's name detectors, presidio's recognizers) becomes a candidate with
features: entity type, which sources agree, the NER label, token shape and case, position,
the words either side, gazetteer hits (given names, places) and how common its words are in
English. A logistic regression fitted with scikit-learn (govern.pii.train_filter) turns them
into a probability; a candidate is reported when that probability reaches its entity's
threshold, taken from the precision-recall curve of out-of-fold predictions on the fitting
data. The fitted weights ship as JSON (govern/pii/models/span_filter.json), so scanning needs
no pickle and no scikit-learn import: a dot product per candidate.
"""
from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources

from govern.pii import gazetteer

FILTERED = frozenset({"PERSON", "LOCATION"})
MODEL_FILE = "models/span_filter.json"
OTHER = "<other>"
_BOUNDARY = re.compile(r"(?:^|[.!?:;\n]\s*|[\"'(]\s*)$")
_PREV = re.compile(r"([^\W_]+|[^\w\s])\W*?\s*$")
_NEXT = re.compile(r"^\s*([^\W_]+|[^\w\s])")


def _shape(value: str) -> str:
    letters = [c for c in value if c.isalpha()]
    if not letters:
        return "none"
    if all(c.islower() for c in letters):
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper"
    if all(w[:1].isupper() for w in gazetteer.words(value)):
        return "title"
    return "mixed"


def features(text: str, start: int, end: int, entity: str, sources: frozenset[str],
             ner_labels: frozenset[str], case: str, vocab: frozenset[str] | None = None) -> dict:
    """Feature dict of one candidate. `sources`: who proposed it (ner, ner_case, detector ids);
    `case`: the text's case ('normal', 'lower', 'upper'); `vocab`: context words the model
    knows (others become <other>)."""
    value = text[start:end]
    words = gazetteer.words(value) or [value]
    lowered = [w.lower() for w in words]
    zipfs = [gazetteer.zipf(w) for w in lowered]
    names, places = gazetteer.given_names(), gazetteer.places()
    before, after = text[max(0, start - 40):start], text[end:end + 40]
    prev = _PREV.search(before)
    nxt = _NEXT.search(after)
    prev_w = prev.group(1).lower() if prev else "<s>"
    next_w = nxt.group(1).lower() if nxt else "</s>"
    if vocab is not None:
        prev_w = prev_w if prev_w in vocab else OTHER
        next_w = next_w if next_w in vocab else OTHER
    e = entity
    f = {f"ent={e}": 1.0, f"{e}:nw={min(len(words), 4)}": 1.0,
         f"{e}:shape={_shape(value)}:case={case}": 1.0, f"case={case}": 1.0,
         f"{e}:n_src": float(len(sources)),
         f"{e}:zipf_min": min(zipfs) / 8, f"{e}:zipf_max": max(zipfs) / 8,
         f"{e}:zipf_bin={int(min(zipfs))}": 1.0,
         f"{e}:prev={prev_w}": 1.0, f"{e}:next={next_w}": 1.0}
    shape = _shape(value)
    for s in sources:
        f[f"{e}:src={s}"] = 1.0
        f[f"{e}:src={s}:case={case}"] = 1.0
    if len(sources) == 1:
        f[f"{e}:only={next(iter(sources))}"] = 1.0
    for label in ner_labels:
        f[f"{e}:ner={label}"] = 1.0
    if any(c.isdigit() for c in value):
        f["has_digit"] = 1.0
    b = text[start - 1] if start > 0 else " "
    a = text[end] if end < len(text) else " "
    if b.isalnum() or b in "-_/" or a.isalnum() or a in "-_/":
        f["in_token"] = 1.0
    if b in "@#":
        f[f"prefix={b}"] = 1.0
    if _BOUNDARY.search(before):
        f[f"{e}:sent_start"] = 1.0
        f[f"{e}:sent_start:shape={shape}"] = 1.0
    if lowered[0] in names:
        f[f"{e}:gaz_given_first"] = 1.0
    if sum(w in names for w in lowered) >= 2 or (len(lowered) > 1 and lowered[0] in names):
        f[f"{e}:gaz_given_multi"] = 1.0
    if value.lower() in places:
        f[f"{e}:gaz_place"] = 1.0
    elif any(w in places for w in lowered):
        f[f"{e}:gaz_place_part"] = 1.0
    return f


class SpanFilter:
    """A fitted model: weights by feature name, an intercept, thresholds by entity."""

    def __init__(self, model: dict):
        self.model = model
        self.weights: dict[str, float] = model["weights"]
        self.intercept = float(model["intercept"])
        self.thresholds: dict[str, float] = model["thresholds"]
        self.vocab = frozenset(model["context_vocab"])

    @classmethod
    def from_json(cls, text: str) -> SpanFilter:
        return cls(json.loads(text))

    def probability(self, feats: dict) -> float:
        z = self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-z))

    def keep(self, entity: str, feats: dict) -> tuple[bool, float]:
        p = self.probability(feats)
        return p >= self.thresholds[entity], p


@functools.lru_cache(maxsize=1)
def model_text() -> str:
    return resources.files("govern.pii").joinpath(MODEL_FILE).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def shipped() -> SpanFilter:
    """The filter fitted by govern.pii.train_filter and shipped in the package."""
    return SpanFilter.from_json(model_text())
