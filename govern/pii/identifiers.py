"""Identifier detectors presidio lacks for training data: street addresses, names introduced as
names, driver licence numbers stated as such.

spaCy's NER finds capitalised names and cities but not "742 Evergreen Terrace"; names in lower
case come from NER on a case-restored view (govern.pii.case_view) and from the cues below, and
the learned span filter (govern.pii.span_filter) decides which name candidates are reported.
presidio's own US_DRIVER_LICENSE matches most 8-12 character tokens, so govern's version only
reports a number that the text calls a licence.
"""
from __future__ import annotations

import re

from govern.pii.detectors import Detector

_SUFFIX_WORDS = ("street|avenue|road|boulevard|lane|drive|court|terrace|place|way|circle|highway|"
                 "parkway|square|trail|alley|loop|crescent|close|row|plaza|heights")
_SUFFIX_ABBR = "st|ave|rd|blvd|ln|dr|ct|ter|pl|cir|hwy|pkwy|sq|trl"
_NOT_STREET = ("the|a|an|of|to|in|on|at|for|and|or|by|with|from|per|mile|miles|km|blocks?|"
               "minutes?|hours?|days?|weeks?|years?|times?|down|up|off|items?|units?|people|"
               "patients|users|orders?|steps?")
_UNIT = r"(?:\s*,?\s*(?:apt|apartment|suite|ste|unit|#)\.?\s*#?[0-9][0-9a-z-]*)?"
STREET = (
    r"(?<![\w$#.,-])(?P<value>\d{1,6}[a-z]?\s+(?:(?:n|s|e|w|north|south|east|west)\.?\s+)?"
    rf"(?:(?!(?:{_NOT_STREET})\b)[a-z][a-z'.-]*\s+){{1,3}}"
    rf"(?:(?:{_SUFFIX_WORDS})\b|(?:{_SUFFIX_ABBR})\b\.?"
    # "Dr Smith", "St Louis": an abbreviation followed by a capitalised word is a title or name
    r"(?!\s+(?!(?:apt|suite|ste|unit|nw|ne|sw|se)\b)(?-i:[A-Z][a-z])))"
    r"(?:\s+(?:nw|ne|sw|se)\b)?"
    rf"{_UNIT})"
)

_NAME_WORD = r"[a-z][a-z'-]{1,20}"
_NOT_NAME = ("and|or|but|so|the|a|an|here|there|from|at|in|on|with|to|for|not|just|also|"
             "happy|glad|sorry|looking|trying|having|calling|writing|good|fine|back|new|still")
NAME_CONTEXT = (
    r"\b(?:my name is|my name's|name is|i am called|call me|signed|regards,?|sincerely,?)\s+"
    rf"(?P<value>(?!(?:{_NOT_NAME})\b){_NAME_WORD}(?:\s+(?!(?:{_NOT_NAME})\b){_NAME_WORD})?)\b"
)


_CAP = r"(?-i:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)"
CUED_NAME = (r"\b(?:thanks|thank you|dear|hi|hello|hey|mr|mrs|ms|dr|reach|contact|call|ask|email|"
             rf"tell|regards|sincerely)\.?,?\s+(?P<value>{_CAP}\s+{_CAP})\b")
_NOT_INTRO = (_NOT_NAME + "|sorry|sure|pretty|quite|very|really|too|afraid|unable|able|ready|"
              "done|okay|ok|fine|well|interested|available|new|here|the|your|a|an|on|in|at")
INTRO_NAME = (r"\b(?:i'm|i am|im|this is|it's|its)\s+"
              rf"(?P<value>(?!(?:{_NOT_INTRO})\b)(?![a-z]+(?:ing|ed|ly)\b){_NAME_WORD}\s+"
              rf"(?!(?:{_NOT_INTRO})\b)(?![a-z]+(?:ing|ed|ly)\b){_NAME_WORD})(?=\s*(?:[,.!;]|$|\s+(?:and|from|here)\b))")
NANP_PHONE = r"(?<![\w.+-])(?P<value>(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4})(?![\w-])"

DRIVER_LICENSE = (
    r"\b(?:driver'?s?|drivers|driving)\s+licen[cs]e(?:\s+(?:number|no\.?|id|#))?\s*(?:is|was|:|#|-)?"
    r"\s*(?:number|no\.?|#)?\s*[:#]?\s*(?P<value>[a-z]{0,2}\d[0-9a-z-]{4,15})\b"
)


def _enough_digits(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 5


IDENTIFIERS = [
    Detector("govern.street_address", "STREET_ADDRESS", STREET, score=0.85, flags=re.I,
             description="house number, street name and street type (742 Evergreen Terrace)"),
    Detector("govern.person.context", "PERSON", NAME_CONTEXT, score=0.7, flags=re.I,
             needs=("name", "call", "signed", "regards", "sincerely"),
             description="a name introduced as one (my name is ..., regards, ...), any case"),
    Detector("govern.person.cued", "PERSON", CUED_NAME, score=0.7, flags=re.I,
             description="two capitalised words after a cue (Thanks, Dear, reach, Mr)"),
    Detector("govern.person.intro", "PERSON", INTRO_NAME, score=0.6, flags=re.I,
             description="a two-word name introduced as one (hi i'm jane doe, ...), any case"),
    Detector("govern.phone_nanp", "PHONE_NUMBER", NANP_PHONE, score=0.5,
             validate=lambda v: len(set(c for c in v if c.isdigit())) > 2,
             description="a North American phone number shape, even with an unassigned area code"),
    Detector("govern.driver_license", "US_DRIVER_LICENSE", DRIVER_LICENSE, score=0.85,
             flags=re.I, validate=_enough_digits, needs=("licen",),
             description="a number the text calls a driver's licence"),
]

def plausible_entity(text: str, start: int, end: int) -> bool:
    """An NER name or place has letters, no digits, and is not a piece of a longer token
    (the "LA" in "RX-7175-LA", a build hash, an order id)."""
    value = text[start:end]
    if any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "-_/" or after.isalnum() or after in "-_/")


_CLOCK = re.compile(r"\d:\d\d:$")


def plausible_phone(text: str, start: int, end: int, score: float) -> bool:
    """presidio's phone matcher accepts prices and order numbers ("169.80", "09871077") at its
    base score; without supporting context a phone needs 7+ digits and some separator (a
    6-digit national form needs a phone word before it, which scores it 0.6). The seconds of
    a clock time ("06:51:03.497338") are not a phone."""
    value = text[start:end]
    digits = sum(c.isdigit() for c in value)
    if digits < 6 or (digits == 6 and score < 0.6) or _CLOCK.search(text, 0, start):
        return False
    return score >= 0.5 or any(c in value for c in " -.()+")
