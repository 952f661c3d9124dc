"""Value generators for the PII benchmark: valid-looking synthetic values (Luhn-valid cards,
checksummed IBANs, well-formed SSNs and keys) and PII-free texts with look-alikes."""
from __future__ import annotations

import base64
import json
import random
import string

COMMON_FIRST = ["James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David", "Emily", "Daniel",
                "Laura", "Kevin", "Nicole", "Brian", "Rachel", "Steven", "Olivia"]
RARE_FIRST = ["Ingeborg", "Thaddeus", "Mireille", "Kofi", "Anneliese", "Bartholomew", "Leopold",
              "Xiomara", "Radu", "Tomasz", "Signe", "Evander", "Ottoline", "Casimir", "Wren", "Idris"]
COMMON_LAST = ["Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Wilson", "Taylor",
               "Clark", "Lewis", "Walker", "Young"]
RARE_LAST = ["Lindqvist", "Okonkwo", "Fairweather", "Delacroix", "Haverford", "Brennan", "Nakamura",
             "Petrov", "Castellanos", "Whitlock", "Abernathy", "Vukovic"]
CITIES = ["Lisbon", "Denver", "Chicago", "Toronto", "Munich", "Osaka", "Nairobi", "Melbourne",
          "Seattle", "Boston", "Madrid", "Dublin", "Rotterdam", "Krakow"]
STREETS = ["Evergreen", "Maple", "Oak", "Cedar", "Pine", "Elm", "Lakeview", "Sunset", "Highland",
           "Willow", "Park", "Washington", "Riverside", "Hillcrest"]
SUFFIXES = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane", "Drive", "Terrace", "Court",
            "Boulevard", "Place", "Way"]
ALNUM = string.ascii_letters + string.digits


def _rand(rng, chars, n):
    return "".join(rng.choice(chars) for _ in range(n))


def person(rng):
    first = rng.choice(COMMON_FIRST if rng.random() < 0.5 else RARE_FIRST)
    last = rng.choice(COMMON_LAST if rng.random() < 0.5 else RARE_LAST)
    return f"{first} {last}"


def luhn_complete(prefix: str, length: int, rng) -> str:
    body = prefix + _rand(rng, string.digits, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def card(rng):
    num = luhn_complete(rng.choice(["4", "51", "55"]), 16, rng)
    sep = rng.choice([" ", "-", ""])
    return sep.join(num[i:i + 4] for i in range(0, 16, 4))


def iban(rng):
    country, length = rng.choice([("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14)])
    if country == "GB":
        bban = "NWBK" + _rand(rng, string.digits, 14)
    elif country == "NL":
        bban = "ABNA" + _rand(rng, string.digits, 10)
    else:
        bban = _rand(rng, string.digits, length)
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(digits) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.5 else raw


def ssn(rng):
    return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def phone(rng):
    a, b, c = rng.randint(201, 989), rng.randint(200, 989), rng.randint(1000, 9999)
    return rng.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"+1 {a} {b} {c}", f"{a}.{b}.{c}"])


def street(rng):
    name = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    return name.lower() if rng.random() < 0.2 else name


def jwt(rng):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    return (enc({"alg": "HS256", "typ": "JWT"}) + "." +
            enc({"sub": _rand(rng, string.digits, 8), "name": "svc"}) + "." + _rand(rng, ALNUM, 43))


def password(rng):
    return _rand(rng, string.ascii_letters, 6) + _rand(rng, string.digits, 2) + rng.choice("!#%&")


VALUES = {
    "PERSON": lambda r: (person(r), "PERSON"),
    "PERSON_LOWER": lambda r: (person(r).lower(), "PERSON"),
    "EMAIL_ADDRESS": lambda r: (f"{person(r).split()[0].lower()}.{_rand(r, string.ascii_lowercase, 5)}"
                                f"@{r.choice(['example.com', 'mail.example.org', 'corp.example.net'])}",
                                "EMAIL_ADDRESS"),
    "PHONE_NUMBER": lambda r: (phone(r), "PHONE_NUMBER"),
    "CREDIT_CARD": lambda r: (card(r), "CREDIT_CARD"),
    "IBAN_CODE": lambda r: (iban(r), "IBAN_CODE"),
    "US_SSN": lambda r: (ssn(r), "US_SSN"),
    "IP_ADDRESS": lambda r: (f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}."
                             f"{r.randint(1, 254)}", "IP_ADDRESS"),
    "STREET_ADDRESS": lambda r: (street(r), "STREET_ADDRESS"),
    "LOCATION": lambda r: (r.choice(CITIES), "LOCATION"),
    "US_DRIVER_LICENSE": lambda r: (r.choice(string.ascii_uppercase) + _rand(r, string.digits, 7),
                                    "US_DRIVER_LICENSE"),
    "SECRET_AWS_ACCESS_KEY": lambda r: ("AKIA" + _rand(r, string.ascii_uppercase + string.digits, 16),
                                        "SECRET_AWS_ACCESS_KEY"),
    "SECRET_GITHUB_TOKEN": lambda r: ("ghp_" + _rand(r, ALNUM, 36), "SECRET_GITHUB_TOKEN"),
    "SECRET_STRIPE_KEY": lambda r: ("sk_live_" + _rand(r, ALNUM, 24), "SECRET_STRIPE_KEY"),
    "SECRET_JWT": lambda r: (jwt(r), "SECRET_JWT"),
    "SECRET_URL_CREDENTIALS": lambda r: (password(r), "SECRET_URL_CREDENTIALS"),
    "SECRET_PASSWORD": lambda r: (password(r), "SECRET_PASSWORD"),
    "SECRET_SLACK_TOKEN": lambda r: (f"xoxb-{_rand(r, string.digits, 12)}-{_rand(r, string.digits, 13)}-"
                                     f"{_rand(r, ALNUM, 24)}", "SECRET_SLACK_TOKEN"),
    "SECRET_OPENAI_KEY": lambda r: ("sk-proj-" + _rand(r, ALNUM, 48), "SECRET_OPENAI_KEY"),
    "ORDER": lambda r: (r.choice(["A", "#", "ORD-", ""]) + _rand(r, string.digits, 8), None),
}

CLEAN = [
    "Order {ORDER} shipped on Monday with tracking number 1Z{T}.",
    "Product code {SKU} is out of stock until version {VER} ships.",
    "The build {HASH} failed on step 3 of 7; retry in 10 minutes.",
    "Invoice INV-{N} totals {PRICE} dollars including tax.",
    "Error code E{N3} appears when the tablet syncs over wifi.",
    "Please restart the router and wait 30 seconds before retrying.",
    "Request id {UUID} timed out after 5000 ms.",
    "Firmware {VER} fixes the battery drain reported in ticket {ORDER}.",
    "The warranty covers 2 years from the purchase date.",
    "Room 404 is booked from 9 to 11 for the release review.",
    "SKU {SKU} and SKU {SKU} were merged into one listing.",
    "Our plan costs {PRICE} per month, billed yearly.",
    "Batch {N} contains 250 units, lot number {N}.",
    "How do I export my data to CSV from the dashboard?",
    "The app crashes when I open settings on Android 14.",
]


def clean_text(rng) -> str:
    fills = {
        "ORDER": lambda: VALUES["ORDER"](rng)[0], "T": lambda: _rand(rng, string.digits, 16),
        "SKU": lambda: f"{_rand(rng, string.ascii_uppercase, 2)}-{_rand(rng, string.digits, 4)}-"
                       f"{_rand(rng, string.ascii_uppercase, 2)}",
        "VER": lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        "HASH": lambda: _rand(rng, "0123456789abcdef", 12), "N": lambda: str(rng.randint(10000, 99999)),
        "N3": lambda: str(rng.randint(100, 999)), "PRICE": lambda: f"{rng.randint(5, 500)}.{rng.randint(0, 99):02d}",
        "UUID": lambda: "-".join(_rand(rng, "0123456789abcdef", n) for n in (8, 4, 4, 4, 12)),
    }
    text = rng.choice(CLEAN)
    while "{" in text:
        j = text.index("{")
        k = text.index("}", j)
        text = text[:j] + fills[text[j + 1:k]]() + text[k + 1:]
    return text
