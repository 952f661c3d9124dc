"""govern's identifier detectors: street addresses, names introduced as names, driver licences."""
from __future__ import annotations

import pytest

from govern.pii.identifiers import IDENTIFIERS, plausible_entity

BY_ID = {d.id: d for d in IDENTIFIERS}

CASES = [
    ("govern.street_address", "I live at 742 Evergreen Terrace, Springfield.", ["742 Evergreen Terrace"]),
    ("govern.street_address", "ship to 1600 Pennsylvania Ave NW, Washington", ["1600 Pennsylvania Ave NW"]),
    ("govern.street_address", "send it to 221b baker street apt 4 please", ["221b baker street apt 4"]),
    ("govern.street_address", "office: 12 N. Main St. Suite 300", ["12 N. Main St. Suite 300"]),
    ("govern.street_address", "it is 5 miles down the road", []),
    ("govern.street_address", "3 patients saw Dr Smith today", []),
    ("govern.street_address", "order 4 items by Friday", []),
    ("govern.person.context", "hello, my name is maria lopez and I need help", ["maria lopez"]),
    ("govern.person.context", "kind regards, tom", ["tom"]),
    ("govern.person.context", "my name is not important here", []),
    ("govern.person.cued", "Thanks Thaddeus Vukovic, it ships today", ["Thaddeus Vukovic"]),
    ("govern.person.cued", "You can reach Signe Castellanos at home", ["Signe Castellanos"]),
    ("govern.person.cued", "please contact Customer Support today", ["Customer Support"]),
    ("govern.person.cued", "thanks for the quick reply", []),
    ("govern.person.intro", "hi i'm xiomara walker, my order never arrived", ["xiomara walker"]),
    ("govern.person.intro", "i'm really sorry, it broke", []),
    ("govern.person.intro", "i'm waiting patiently.", []),
    ("govern.phone_nanp", "call +1 921 250 1188 now", ["+1 921 250 1188"]),
    ("govern.phone_nanp", "or 391.393.6560 after 5", ["391.393.6560"]),
    ("govern.phone_nanp", "version 2.3.1234 and order 555-1234", []),
    ("govern.driver_license", "my driver's license number is D1234567", ["D1234567"]),
    ("govern.driver_license", "Driving licence: 123-456-789", ["123-456-789"]),
    ("govern.driver_license", "I renewed my driver license yesterday", []),
    ("govern.driver_license", "order number D1234567", []),
]


@pytest.mark.parametrize("detector,text,expected", CASES)
def test_identifier_detector(detector, text, expected):
    d = BY_ID[detector]
    assert [text[s:e] for s, e in d.find(text)] == expected


@pytest.mark.parametrize("text,span,expected", [
    ("SKU RX-7175-LA merged", "LA", False),
    ("Contact Jonas Weber today", "Jonas Weber", True),
    ("ref A10293 again", "A10293", False),
    ("build_Lisbon_x", "Lisbon", False),
    ("Thanks, Priya", "Priya", True),
])
def test_plausible_entity(text, span, expected):
    """Structural rule kept before the learned filter: letters, no digits, a whole token."""
    start = text.index(span)
    assert plausible_entity(text, start, start + len(span)) is expected


@pytest.mark.parametrize("text,span,score,expected", [
    ("costs 169.80 per month", "169.80", 0.4, False),
    ("order 09871077 shipped", "09871077", 0.4, False),
    ("call 478.812.8710 today", "478.812.8710", 0.4, True),
    ("phone: 4788128710", "4788128710", 0.75, True),
    ("On 2008-04-10 06:51:03.497338 it began", "03.497338", 0.4, False),  # clock seconds
    ("messages to 66 91 21", "66 91 21", 0.6, True),
    ("room 66 91 21", "66 91 21", 0.4, False),
])
def test_plausible_phone(text, span, score, expected):
    from govern.pii.identifiers import plausible_phone
    start = text.index(span)
    assert plausible_phone(text, start, start + len(span), score) is expected
