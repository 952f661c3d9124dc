"""The Finding model shared by every scanner, its keyed fingerprint and mask, and its writers.

A finding never carries a raw matched value: only the type, the location, a keyed
HMAC-SHA256 fingerprint (key in the store) and a mask such as `j***@a***.com`.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass, field, fields
from typing import IO, Iterable

FORMAT_VERSION = 1


@dataclass
class Finding:
    row: int
    line: int | None
    field: str
    type: str
    detector: str
    score: float
    role: str | None = None
    start: int | None = None
    end: int | None = None
    fingerprint: str | None = None
    mask: str | None = None
    file: str | None = None
    golden: str | None = None
    method: str | None = None
    methods: list[str] | None = None
    action: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Set fields only; nested values are copies (dataclasses.asdict's result, faster:
        a scan writes one per finding)."""
        d = {k: v for k, v in self.__dict__.items() if v is not None}
        d["score"] = round(float(self.score), 4)
        if self.extra:
            d["extra"] = copy.deepcopy(self.extra)
        else:
            del d["extra"]
        if self.methods is not None:
            d["methods"] = list(self.methods)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def describe(self) -> str:
        """One line for people: type, where, the mask and the golden item (never a value)."""
        return (f"{self.type} in {self.field}" + (f" (role {self.role})" if self.role else "")
                + (f": {self.mask}" if self.mask else "")
                + (f" from golden item {self.golden}" if self.golden else ""))

    def sort_key(self):
        return (self.row, self.field, self.start or 0, self.end or 0, self.type,
                self.golden or "", self.detector)


def fingerprint(key: bytes, value: str) -> str:
    """Keyed HMAC-SHA256 of the matched value: stable per store, unlinkable without the key."""
    return "hmac-sha256:" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _mask_word(w: str) -> str:
    return w[0] + "***" if len(w) > 1 else "*"


def mask(value: str, entity: str = "") -> str:
    """A shape-preserving hint: first character of each part, the rest starred."""
    value = value.strip()
    if not value:
        return "***"
    if "@" in value and entity.upper() in ("EMAIL_ADDRESS", "EMAIL", ""):
        local, _, domain = value.partition("@")
        host, dot, tld = domain.rpartition(".")
        return f"{_mask_word(local)}@{_mask_word(host or tld)}{dot + tld if host else ''}"
    if len(value) <= 4:
        return "*" * len(value)
    if re.fullmatch(r"[\d\s().+-]+", value):  # numbers: keep the last two digits only
        digits = re.sub(r"\D", "", value)
        return "*" * max(len(digits) - 2, 2) + digits[-2:]
    words = value.split()
    if len(words) > 1:
        return " ".join(_mask_word(w) for w in words[:4]) + (" …" if len(words) > 4 else "")
    return value[:2] + "*" * min(len(value) - 2, 8) if len(value) > 12 else _mask_word(value)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key())


def jsonl_bytes(findings: Iterable[Finding]) -> bytes:
    """One finding per line, keys sorted, UTF-8 (orjson: a rescan writes them all). Each
    line goes straight into one buffer: holding thousands of orjson's small bytes objects
    at once is ten times slower than writing each as it comes."""
    import orjson
    option = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
    out = io.BytesIO()
    for f in findings:
        out.write(orjson.dumps(f.to_dict(), option=option))
    return out.getvalue()


def write_jsonl(findings: Iterable[Finding], out: IO[str]) -> int:
    findings = list(findings)
    out.write(jsonl_bytes(findings).decode("utf-8"))
    return len(findings)


def read_jsonl(lines: Iterable[str]) -> list[Finding]:
    return [Finding.from_dict(json.loads(line)) for line in lines if line.strip()]


def sarif(findings: Iterable[Finding], tool: str, rules: dict[str, str], level: str = "error",
          default_uri: str | None = None) -> dict:
    """SARIF 2.1.0 log: one result per finding, located at the data file and line."""
    import govern
    results = []
    for f in findings:
        uri = f.file or default_uri or "data"
        region = {"startLine": f.line or 1}
        results.append({
            "ruleId": f.type, "level": level,
            "message": {"text": f.describe()},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri},
                                                "region": region}}],
            "partialFingerprints": {"govern/v1": f.fingerprint or f"{f.row}:{f.field}:{f.type}"},
            "properties": {k: v for k, v in f.to_dict().items()
                           if k in ("row", "field", "role", "start", "end", "score", "detector",
                                    "golden", "method", "methods")},
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {
            "name": tool, "version": govern.__version__, "informationUri": "https://example.invalid/govern",
            "rules": [{"id": rid, "shortDescription": {"text": text}}
                      for rid, text in sorted(rules.items())]}},
            "results": results}],
    }

