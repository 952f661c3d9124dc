"""Generate the labelled PII benchmark: bench/data/pii_benchmark.jsonl (seeded, reproducible).

Synthetic support sentences and chat turns with known spans (persons, cities, street
addresses, emails, phones, cards, IBANs, SSNs, IPs, driver licences, secrets, lower-cased
names) and PII-free texts full of look-alikes (order numbers, product codes, versions,
tracking numbers, hashes, prices). Names are drawn half from common US names and half from
rarer ones, so the benchmark does not only test govern's own name list.

    python bench/pii_make_data.py            # writes bench/data/pii_benchmark.jsonl
"""
from __future__ import annotations

import json
import random
import string
import sys
from pathlib import Path

from pii_values import VALUES, clean_text

OUT = Path(__file__).parent / "data" / "pii_benchmark.jsonl"

PII_TEMPLATES = [
    "Hi, this is {PERSON}. Please send the invoice to {EMAIL_ADDRESS}.",
    "You can reach {PERSON} at {PHONE_NUMBER} any time after 5pm.",
    "My card {CREDIT_CARD} was charged twice for order {ORDER}.",
    "Please refund to IBAN {IBAN_CODE}, account holder {PERSON}.",
    "For the background check my SSN is {US_SSN}.",
    "The failed logins came from {IP_ADDRESS} last night.",
    "I moved to {STREET_ADDRESS} last month, please update my address.",
    "We are relocating our office to {LOCATION} in spring.",
    "My driver's license number is {US_DRIVER_LICENSE} if you need it.",
    "Contact {EMAIL_ADDRESS} or call {PHONE_NUMBER} about ticket {ORDER}.",
    "hi i'm {PERSON_LOWER}, my order never arrived",
    "pls ask {PERSON_LOWER} to call me back on {PHONE_NUMBER}",
    "my name is {PERSON_LOWER} and my email is {EMAIL_ADDRESS}",
    "Ship it to {STREET_ADDRESS}, {LOCATION}.",
    "I pasted my config by mistake: aws_access_key_id={SECRET_AWS_ACCESS_KEY}",
    "Use token {SECRET_GITHUB_TOKEN} for the CI job.",
    "export STRIPE_KEY={SECRET_STRIPE_KEY} before running the script",
    "Authorization: Bearer {SECRET_JWT}",
    "the db url is postgres://admin:{SECRET_URL_CREDENTIALS}@db.internal:5432/app",
    "my password={SECRET_PASSWORD} stopped working yesterday",
    "our slack bot uses {SECRET_SLACK_TOKEN}, is that safe?",
    "OPENAI_API_KEY={SECRET_OPENAI_KEY}",
    "Thanks {PERSON}, the replacement ships to {STREET_ADDRESS} tomorrow.",
    "{PERSON} from {LOCATION} reported the same bug.",
]
CHATS = [
    [("user", "Hello, my account is locked. My email is {EMAIL_ADDRESS}."),
     ("assistant", "Thanks, I have sent a reset link to that address.")],
    [("user", "Can you update my phone to {PHONE_NUMBER}?"),
     ("assistant", "Done, {PERSON}. Your phone number is updated.")],
    [("user", "the invoice should go to {STREET_ADDRESS}"),
     ("assistant", "I changed the billing address on ticket {ORDER}.")],
    [("user", "here is my key {SECRET_AWS_ACCESS_KEY} can you check it"),
     ("assistant", "Please rotate that key right away; never share keys in chat.")],
    [("user", "why was I charged twice?"),
     ("assistant", "I see two charges on card {CREDIT_CARD}; I will refund one.")],
]


def fill(template: str, rng: random.Random) -> tuple[str, list[dict]]:
    text, spans, pos = "", [], 0
    for part in _parts(template):
        if part.startswith("{"):
            slot = part[1:-1]
            value, label = VALUES[slot](rng)
            if label:
                spans.append({"type": label, "start": len(text), "end": len(text) + len(value)})
            text += value
        else:
            text += part
    return text, spans


def _parts(template: str):
    out, i = [], 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            break
        k = template.index("}", j)
        out += [template[i:j], template[j:k + 1]]
        i = k + 1
    return [p for p in out if p]


def records(rng: random.Random, n_pii: int = 420, n_chat: int = 80, n_clean: int = 300):
    rows = []
    for i in range(n_pii):
        text, spans = fill(PII_TEMPLATES[i % len(PII_TEMPLATES)], rng)
        rows.append({"kind": "sentence", "text": text, "spans": spans})
    for i in range(n_chat):
        turns, spans = [], []
        for j, (role, t) in enumerate(CHATS[i % len(CHATS)]):
            text, sp = fill(t, rng)
            turns.append({"role": role, "content": text})
            spans += [{**s, "field": f"messages[{j}].content"} for s in sp]
        rows.append({"kind": "chat", "messages": turns, "spans": spans})
    for _ in range(n_clean):
        rows.append({"kind": "clean", "text": clean_text(rng), "spans": []})
    rng.shuffle(rows)
    for i, r in enumerate(rows):
        r["id"] = f"B{i:05d}"
        for s in r["spans"]:
            s.setdefault("field", "text")
    return rows


def main() -> None:
    rng = random.Random(20261129)
    rows = records(rng)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} records to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
