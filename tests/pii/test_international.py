"""International phones, cards and addresses, and the look-alikes that must stay quiet."""
from __future__ import annotations

import pytest

from govern.pii.international import INTERNATIONAL, card_number, luhn
from tests.pii.conftest import spans_of

BY_ID = {d.id: d for d in INTERNATIONAL}

# (text, type, value) that the full analyzer must report
FOUND = [
    ("Call me on +41 44 612 33 90 tomorrow", "PHONE_NUMBER", "+41 44 612 33 90"),
    ("my phone is 8123 4471", "PHONE_NUMBER", "8123 4471"),
    ("Phone: (07811) 302214", "PHONE_NUMBER", "(07811) 302214"),
    ("ring 61 402 17 88 after six", "PHONE_NUMBER", "61 402 17 88"),
    ("whatsapp +81 3-1234-5678 please", "PHONE_NUMBER", "+81 3-1234-5678"),
    ("0664 402685 is my number", "PHONE_NUMBER", "0664 402685"),  # the phone word after it
    ("I'm at 0664 402685 (mobile).", "PHONE_NUMBER", "0664 402685"),
    ("Can you please call Dr. Anna-Maria Kowalski at 0664 402685?", "PHONE_NUMBER", "0664 402685"),
    ("ph. 0664 402685", "PHONE_NUMBER", "0664 402685"),
    ("Phone:\\n04.04.98.37.96\\n", "PHONE_NUMBER", "04.04.98.37.96"),  # a literal escape
    ("my credit card 2221 0000 0000 0009 was charged", "CREDIT_CARD", "2221 0000 0000 0009"),
    ("maestro card 6759 6498 2643 8453 expired", "CREDIT_CARD", "6759 6498 2643 8453"),
    ("my card is 501800000009", "CREDIT_CARD", "501800000009"),
    ("JCB 3530-1113-3330-0000 on file", "CREDIT_CARD", "3530-1113-3330-0000"),
    ("12 Rue des Lilas, Apt. 3, 69003 Lyon, France", "STREET_ADDRESS", "12 Rue des Lilas"),
    ("12 Rue des Lilas, Apt. 3, 69003 Lyon, France", "STREET_ADDRESS", "69003 Lyon"),
    ("Kastanjelaan 18, 3512 Utrecht", "STREET_ADDRESS", "Kastanjelaan 18"),
    ("Kastanjelaan 18, 3512 Utrecht", "STREET_ADDRESS", "3512 Utrecht"),
    ("Storgata 7B, 0155 Oslo", "STREET_ADDRESS", "Storgata 7B"),
    ("ul. Długa 22/4, Gdańsk", "STREET_ADDRESS", "ul. Długa 22/4"),
    ("ship it to Via Belviglieri 29", "STREET_ADDRESS", "Via Belviglieri 29"),
    ("Bleibtreustraße 10, Berlin", "STREET_ADDRESS", "Bleibtreustraße 10"),
    ("Calle Mayor, 5, 28013 Madrid", "STREET_ADDRESS", "Calle Mayor, 5"),
    ("send it to P.O. Box 1520", "STREET_ADDRESS", "P.O. Box 1520"),
    ("Roma\nItaly 57547", "STREET_ADDRESS", "Italy 57547"),
    ("Demelza lives on Bodbysund 61 street.", "STREET_ADDRESS", "Bodbysund 61"),
    ("Please return to PSC 1445, Box 7742\nAPO AE 59473", "STREET_ADDRESS",
     "PSC 1445, Box 7742\nAPO AE 59473"),
    ("USS Nimitz\nFPO AP 96601", "STREET_ADDRESS", "FPO AP 96601"),
    ("London SW1A 1AA", "STREET_ADDRESS", "SW1A 1AA"),
    ("3754 Slovenčeva 51 Apt. 013 Črni Vrh", "STREET_ADDRESS", "Apt. 013"),
    ("Suite 843\n BRENNDORF", "STREET_ADDRESS", "Suite 843"),
    ("his address: 1084 Úzká 1762", "STREET_ADDRESS", "1084 Úzká 1762"),
    ("my address is 24033 Csabai kapu 60.", "STREET_ADDRESS", "24033 Csabai kapu 60"),
]

# texts in which the analyzer must report nothing of these types
QUIET = [
    ("Order 123456789012 shipped on 3/4/2024", ("CREDIT_CARD", "PHONE_NUMBER")),
    ("Tracking number 1Z9999999999999999 left the depot", ("CREDIT_CARD", "PHONE_NUMBER")),
    ("The SKU AB-1234-56 is out of stock", ("CREDIT_CARD", "PHONE_NUMBER", "STREET_ADDRESS")),
    ("We upgraded from version 2.14.1 to 3.0.12", ("PHONE_NUMBER", "STREET_ADDRESS")),
    ("The total came to $1299.00 including tax", ("PHONE_NUMBER", "CREDIT_CARD")),
    ("Invoice 4111111111111112 is overdue", ("CREDIT_CARD",)),  # fails Luhn
    ("room 66 91 21 is free", ("PHONE_NUMBER",)),  # 6 digits without a phone word
    ("Order 48213377 shipped; call us if it is late", ("PHONE_NUMBER",)),
    ("Order 48213377 is my order number", ("PHONE_NUMBER",)),
    ("set the timeout to 3000 seconds and retry 5 times", ("STREET_ADDRESS", "PHONE_NUMBER")),
    ("Version 2.0.14 Oslo build", ("STREET_ADDRESS",)),
    ("the test suite 12 passed and apt 3 failed", ("STREET_ADDRESS",)),
    ("shipping address: 12 items in the cart", ("STREET_ADDRESS",)),
    ("IP address: 192.168.1.1 Gateway", ("STREET_ADDRESS",)),
]


@pytest.mark.parametrize("text,entity,value", FOUND)
def test_international_identifiers_are_found(analyzer, text, entity, value):
    assert (entity, value) in spans_of(analyzer, text)


@pytest.mark.parametrize("text,types", QUIET)
def test_look_alikes_stay_quiet(analyzer, text, types):
    assert not {e for e, _ in spans_of(analyzer, text)} & set(types)


def test_a_card_shape_in_a_valid_issuer_range_is_reported_even_without_a_cue(analyzer):
    """The honest limit of IIN + Luhn: a 16-digit batch number that passes both is a card."""
    text = "Batch 5105 1051 0510 5100 passed QA"
    assert ("CREDIT_CARD", "5105 1051 0510 5100") in spans_of(analyzer, text)


@pytest.mark.parametrize("number,valid", [
    ("4111111111111111", True), ("4111111111111112", False), ("2221000000000009", True),
    ("6759649826438453", True), ("501800000009", True), ("1234567812345678", False),
    ("0000000000000000", False), ("3530111333300000", True), ("4111 1111 1111 1111", True),
    ("4111-1111 1111-1111", False),  # mixed separators
    ("41 1111 1111 1111 11", False),  # groups of one or two digits
])
def test_card_number(number, valid):
    assert card_number(number) is valid


def test_luhn():
    assert luhn("79927398713") and not luhn("79927398710")


@pytest.mark.parametrize("detector,text,expected", [
    ("govern.postcode.place", "3512 Utrecht\nStorgata 7B", ["3512 Utrecht"]),
    ("govern.postcode.place", "order 12345 Widgets", []),  # not a place
    ("govern.postcode.after", "winning a Nokia 5800", []),  # a city, not a country
    ("govern.street_address.military", "PSC 1445, Box 7742\nAPO AE 59473", ["APO AE 59473"]),
    ("govern.street_address.glued", "version 10 of the Dockerfile", []),
])
def test_postcode_and_street_detectors(detector, text, expected):
    d = BY_ID[detector]
    assert [text[s:e] for s, e in d.find(text)] == expected
