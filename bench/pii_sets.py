"""Labelled PII sets nobody on the project wrote, each with a fitting split and a reporting split.

* `wnut17`: WNUT-17 emerging entities (real tweets, Reddit, YouTube and StackExchange posts).
  A sentence is a record; `person` and `location` mentions are the PII. Fit on train.conll,
  report on dev.conll. Read from ../shared/data/wnut17 or $GOVERN_SHARED_DATA/wnut17.
* `synthetic`: sentences made by the `presidio-evaluator` package (its templates, its
  international FakeNameGenerator records and Faker providers) with govern's own seeds, plus
  PII-free sentences with look-alikes (order numbers, SKUs, versions, prices) from the templates
  below. Templates are split by index (even: fit, odd: report), so no reporting sentence
  shares a template with a fitting one. One draw of each split is stored in
  bench/data/pii_synthetic_{fit,report}.jsonl (`python bench/pii_sets.py` draws them again).
* `chat`: bench/data/pii_benchmark.jsonl (written with the detectors; report only).

A record is {"text", "spans": [{"field", "type", "start", "end"}], "ignore": [...]}: `ignore`
holds labelled spans that are not direct identifiers (dates, organisations, titles); a
prediction overlapping one counts neither way.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAT = ROOT / "bench" / "data" / "pii_benchmark.jsonl"
SYNTH_FILE = ROOT / "bench" / "data" / "pii_synthetic_{split}.jsonl"
WNUT_PII = {"person": "PERSON", "location": "LOCATION"}
# presidio-evaluator's output types -> govern's types (None: not a direct identifier)
SYNTH_TYPES = {"PERSON": "PERSON", "STREET_ADDRESS": "STREET_ADDRESS", "GPE": "LOCATION",
               "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD",
               "IBAN_CODE": "IBAN_CODE", "US_SSN": "US_SSN", "EMAIL_ADDRESS": "EMAIL_ADDRESS",
               "IP_ADDRESS": "IP_ADDRESS", "US_DRIVER_LICENSE": "US_DRIVER_LICENSE"}
SEEDS = {"fit": 1601, "report": 1602}

# PII-free sentences with identifier look-alikes, for precision (govern's own templates).
NEGATIVE_TEMPLATES = [
    "Order {order} shipped on {date} and should arrive within {n} business days.",
    "The SKU {sku} is out of stock; the replacement part is {sku2}.",
    "We upgraded from version {ver} to {ver2} and the build passes again.",
    "The total came to ${price} including tax, down from ${price2} last month.",
    "Tracking number {track} shows the parcel left the depot.",
    "Invoice {inv} for {n} licences is attached, reference {order}.",
    "Please restart the service after applying patch {ver}.",
    "The meeting moved to {n}:30 in room {room}, bring the quarterly figures.",
    "Model {sku} draws {n} watts and weighs {price} kg.",
    "Ticket #{order} was closed as a duplicate of #{inv}.",
    "Our refund policy allows returns within {n} days of delivery.",
    "The error code {hexcode} appears when the cache is full.",
    "Batch {track} passed quality control with {n} defects per thousand.",
    "I bought {n} units at {price} each, order {order}.",
    "Set the timeout to {n} seconds and the retry count to {n2}.",
    "The firmware {ver} fixes the Bluetooth pairing issue.",
    "Can you check why build {inv} failed on the release branch?",
    "Serial number {sku} is covered until the end of the warranty.",
    "The promotion code SAVE{n} gives {n2}% off everything.",
    "Our annual revenue grew to {price} million in {year}.",
]


def shared_data() -> Path:
    return Path(os.environ.get("GOVERN_SHARED_DATA", ROOT.parent / "shared" / "data"))


def wnut17(split: str) -> list[dict]:
    """WNUT-17 sentences of train.conll (split 'fit') or dev.conll (split 'report')."""
    path = shared_data() / "wnut17" / {"fit": "train.conll", "report": "dev.conll"}[split]
    records, tokens = [], []
    for line in path.read_text(encoding="utf-8-sig").splitlines() + [""]:
        word, _, tag = line.partition("\t")
        if word.strip():
            tokens.append((word.strip(), tag.strip()))
        elif tokens:
            records.append(_conll_record(tokens))
            tokens = []
    return records


def _conll_record(tokens: list[tuple[str, str]]) -> dict:
    text, spans, ignore, open_ = "", [], [], None
    for word, tag in tokens:
        start = len(text) + (1 if text else 0)
        text = (text + " " + word) if text else word
        kind = tag[2:]
        if tag.startswith("I-") and open_ and open_["kind"] == kind:
            open_["end"] = len(text)
            continue
        open_ = {"kind": kind, "start": start, "end": len(text)} if tag[:2] in ("B-", "I-") else None
        if open_:
            (spans if kind in WNUT_PII else ignore).append(open_)
    return {"text": text,
            "spans": [{"field": "text", "type": WNUT_PII[s["kind"]], "start": s["start"],
                       "end": s["end"]} for s in spans],
            "ignore": [{"field": "text", "start": s["start"], "end": s["end"]} for s in ignore]}


def synthetic(split: str) -> list[dict]:
    """The stored draw of `generate_synthetic(split)`: bench/data/pii_synthetic_{split}.jsonl."""
    import json
    path = SYNTH_FILE.with_name(SYNTH_FILE.name.format(split=split))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_synthetic() -> None:
    """Draw both splits once and store them (presidio-evaluator's generator is seeded, but
    its Faker providers do not give the same sentences from one process to the next)."""
    import json
    for split in SEEDS:
        path = SYNTH_FILE.with_name(SYNTH_FILE.name.format(split=split))
        path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                for r in generate_synthetic(split)), encoding="utf-8")


def generate_synthetic(split: str, n: int = 1000) -> list[dict]:
    """n presidio-evaluator sentences (90%) and PII-free look-alike sentences (10%)."""
    import contextlib
    import io
    from presidio_evaluator.data_generator import PresidioSentenceFaker
    from presidio_evaluator.data_generator.presidio_sentence_faker import presidio_templates_file_path
    parity = 0 if split == "fit" else 1
    lines = [t.strip() for t in presidio_templates_file_path.read_text(encoding="utf-8").splitlines()]
    templates = [t for i, t in enumerate(lines) if t and i % 2 == parity]
    n_neg = n // 10
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        random.seed(SEEDS[split])  # the fake-person records draw name forms while loading
        faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, sentence_templates=templates,
                                      random_seed=SEEDS[split])
        faker._sentence_faker.seed_instance(SEEDS[split])  # its Faker has its own generator
        random.seed(SEEDS[split])
        samples = faker.generate_new_fake_sentences(n - n_neg)
    records = []
    for s in samples:
        spans, ignore = [], []
        for sp in s.spans:
            kind = SYNTH_TYPES.get(sp.entity_type)
            item = {"field": "text", "start": sp.start_position, "end": sp.end_position}
            (spans if kind else ignore).append({**item, "type": kind} if kind else item)
        records.append({"text": s.full_text, "spans": spans, "ignore": ignore})
    rng = random.Random(SEEDS[split])
    negatives = [t for i, t in enumerate(NEGATIVE_TEMPLATES) if i % 2 == parity]
    records += [{"text": _fill(rng.choice(negatives), rng), "spans": [], "ignore": []}
                for _ in range(n_neg)]
    return records


def _fill(template: str, rng: random.Random) -> str:
    def digits(k):
        return "".join(rng.choice("0123456789") for _ in range(k))
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    values = {
        "order": digits(rng.randint(6, 12)), "inv": "INV-" + digits(6), "n": str(rng.randint(2, 90)),
        "n2": str(rng.randint(2, 60)), "date": f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2024",
        "sku": f"{rng.choice(letters)}{rng.choice(letters)}-{digits(4)}-{digits(2)}",
        "sku2": f"{rng.choice(letters)}{digits(5)}{rng.choice(letters)}",
        "ver": f"{rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        "ver2": f"{rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        "price": f"{rng.randint(1, 9999)}.{digits(2)}", "price2": f"{rng.randint(1, 9999)}.{digits(2)}",
        "track": "1Z" + digits(16), "room": f"{rng.choice(letters)}{rng.randint(100, 599)}",
        "hexcode": "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(8)),
        "year": str(rng.randint(1990, 2025)),
    }
    return template.format(**values)


def chat() -> list[dict]:
    import json
    out = []
    for line in CHAT.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        rec.setdefault("ignore", [])
        out.append(rec)
    return out


def load(name: str, split: str) -> list[dict]:
    if name == "wnut17":
        return wnut17(split)
    if name == "synthetic":
        return synthetic(split)
    if name == "chat":
        return chat()
    raise ValueError(name)


if __name__ == "__main__":
    write_synthetic()
