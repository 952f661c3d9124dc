"""govern's own detectors as declarations: a stable id, an entity type, a pattern, one validation hook.

A declaration is plain data (no presidio import), so the scanner's config digest can name every
detector and its version cheaply; `govern.pii.recognizers` turns declarations into presidio
recognizers. Ids are persisted in findings and baselines: never rename one, bump `version`
when its pattern or validation changes.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Detector:
    id: str                      # stable, persisted, e.g. "govern.secret.aws_access_key"
    entity: str                  # Finding.type, e.g. "SECRET_AWS_ACCESS_KEY"
    pattern: str                 # a regex; the group named `value` (if any) is the finding
    score: float = 0.85
    flags: int = 0
    validate: Callable[[str], bool] | None = None  # False drops the match
    version: int = 1
    description: str = ""
    context: tuple[str, ...] = field(default_factory=tuple)
    # Strings one of which every match contains (case-insensitively under re.I): a text with
    # none of them is skipped without running the pattern. Empty: always run.
    needs: tuple[str, ...] = ()

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern, self.flags)

    @functools.cached_property
    def _needed(self) -> re.Pattern | None:
        return re.compile("|".join(map(re.escape, self.needs)), self.flags & re.I) if self.needs else None

    @functools.cached_property
    def _value_group(self) -> bool:
        return "value" in self.regex.groupindex

    def prepare(self) -> None:
        """Compile the patterns now rather than on the first text that needs them."""
        _ = (self.regex, self._needed, self._value_group)  # each is cached on first access

    def find(self, text: str):
        """(start, end) of every valid match of this detector in text."""
        if self._needed is not None and not self._needed.search(text):
            return
        for m in self.regex.finditer(text):
            start, end = m.span("value") if self._value_group else m.span()
            if start == end:
                continue
            if self.validate is None or self.validate(text[start:end]):
                yield start, end

    def identity(self) -> dict:
        return {"id": self.id, "entity": self.entity, "version": self.version,
                "pattern": self.pattern, "flags": self.flags, "score": self.score,
                "needs": list(self.needs)}


_CACHE: dict[tuple[str, int], re.Pattern] = {}


def _compiled(pattern: str, flags: int) -> re.Pattern:
    key = (pattern, flags)
    if key not in _CACHE:
        _CACHE[key] = re.compile(pattern, flags)
    return _CACHE[key]


def all_detectors() -> list[Detector]:
    from govern.pii.identifiers import IDENTIFIERS
    from govern.pii.international import INTERNATIONAL
    from govern.pii.secrets import SECRETS
    return [*IDENTIFIERS, *INTERNATIONAL, *SECRETS]


def secret_types() -> list[str]:
    from govern.pii.secrets import SECRETS
    return sorted({d.entity for d in SECRETS})


def is_secret(entity: str) -> bool:
    return entity.startswith("SECRET_")
