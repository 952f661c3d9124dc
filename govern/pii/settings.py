"""The effective `[pii]` settings: what detection needs (picklable, digestible) and the actions.

Detection settings decide which spans are found; actions, roles and the baseline only decide
what a finding means. Keeping them apart lets the per-record cache survive a change of action.
"""
from __future__ import annotations

import functools
from importlib import metadata
from pathlib import Path

from govern.digests import digest_json, sha256_bytes
from govern.errors import InputError

SCANNER_VERSION = 6  # bump when scanning logic changes results

# Recognizers known to misfire on training data: off unless the policy lists the entity.
OFF_BY_DEFAULT = {
    "UK_NHS": "its 10-digit checksum passes on many US phone numbers",
    "US_BANK_NUMBER": "any 8-17 digit number matches: order numbers, tracking ids",
    "DATE_TIME": "dates are not direct identifiers and every timestamp matches",
    "NRP": "nationalities and religions in ordinary prose",
    "ORGANIZATION": "company and product names are not personal data",
    "URL": "every link matches; validation needs a public suffix list download",
}
# presidio recognizers replaced by govern's own (the entity stays available).
REPLACED = {
    "UsLicenseRecognizer": "matches most 8-12 character tokens; govern.driver_license "
                           "reports only numbers the text calls a licence",
}
ACTIONS = ("block", "redact", "allow")


@functools.lru_cache(maxsize=None)
def _version(dist: str) -> str:
    """An installed distribution's version (looked up once per process: each scan needs it)."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _read_recognizer_files(section: dict, base: Path) -> list[dict]:
    out = []
    for name in section["recognizers"]:
        path = (base / name) if not Path(name).is_absolute() else Path(name)
        if not path.is_file():
            raise InputError("presidio recognizer file not found", str(path),
                             hint="[pii] recognizers lists presidio YAML files, relative to govern.toml")
        data = path.read_bytes()
        out.append({"path": str(path), "sha256": sha256_bytes(data), "text": data.decode("utf-8")})
    return out


def detection_settings(policy) -> dict:
    """Everything that changes which spans are found, as plain data."""
    s = policy.section("pii")
    return {
        "model": s["model"], "ner": s.get("ner", ""),
        "entities": sorted(set(s["entities"]) | set(s["secrets"])),
        "min_score": s["min_score"], "min_scores": dict(sorted(s["min_scores"].items())),
        "context": {k: sorted(v) for k, v in sorted(s["context"].items())},
        "allow": sorted(s["allow"]), "deny": {k: sorted(v) for k, v in sorted(s["deny"].items())},
        "recognizer_files": _read_recognizer_files(s, policy.base_dir()),
        "chunk_chars": s["chunk_chars"], "max_text_chars": s["max_text_chars"],
    }


def detection_digest(settings: dict) -> str:
    """Digest of detection settings plus every detector and library version behind them."""
    from govern.pii.detectors import all_detectors
    import govern
    files = [{k: f[k] for k in ("path", "sha256")} for f in settings["recognizer_files"]]
    return digest_json({
        "settings": {**settings, "recognizer_files": files},
        "detectors": [d.identity() for d in all_detectors()],
        "replaced": sorted(REPLACED),
        "versions": {"govern": govern.__version__, "scanner": SCANNER_VERSION,
                     "presidio-analyzer": _version("presidio-analyzer"),
                     "spacy": _version("spacy"), "model": model_version(settings["model"]),
                     "ner": ner_version(settings.get("ner", "")),
                     "span_filter": span_filter_digest()},
    })


def ner_version(spec: str) -> str:
    """The NER backend and, for a folder, its resolved path (a changed model is a new path or
    a new package version)."""
    if not spec:
        return ""
    kind, _, target = spec.partition(":")
    return f"{kind}:{model_version(target)}"


def span_filter_digest() -> str:
    from govern.pii.span_filter import model_text
    return sha256_bytes(model_text().encode("utf-8"))


def model_version(model: str) -> str:
    if Path(model).exists():
        return "path:" + str(Path(model).resolve())
    return model + "==" + _version(model.replace("_", "-"))


def action_for(section: dict, entity: str, role: str | None) -> str:
    """Role rule for the entity, then the role's default (PII only), then the entity's action."""
    secret = entity.startswith("SECRET_")
    rule = section["roles"].get(role or "", {}) if role else {}
    if entity in rule.get("actions", {}):
        return rule["actions"][entity]
    if "action" in rule and not secret:
        return rule["action"]
    if entity in section["actions"]:
        return section["actions"][entity]
    return section["secrets_action"] if secret else section["action"]
