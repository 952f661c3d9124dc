"""The regulatory mapping: GDPR data-protection items, EU AI Act Article 10(2)-(5) data governance
and Annex IV 2(d)/2(g) documentation, each pointing at the artifact that evidences it.

An item is "evidenced" (with digests), a "gap" (govern has no evidence; the reason says what is
missing) or "n/a" (with the reason it does not apply). Never an empty claim.
"""
from __future__ import annotations

SPECIAL = ("NRP", "MEDICAL", "HEALTH", "RELIGION", "POLITICAL", "SEXUAL", "ETHNIC", "BIOMETRIC")


def _ev(artifact: str, digest: str | None, detail: str, section: str) -> dict:
    return {"artifact": artifact, "digest": digest, "detail": detail, "section": section}


def _item(framework, ref, title, evidence, reason_if_none, status_if_none="gap") -> dict:
    evidence = [e for e in evidence if e is not None]
    return {"framework": framework, "id": ref, "title": title,
            "status": "evidenced" if evidence else status_if_none,
            "evidence": evidence, "reason": None if evidence else reason_if_none}


def _scan(r: dict, kind: str, detail: str):
    s = r[kind]
    return _ev(f"{kind} scan", s["digest"], detail, kind) if s.get("digest") else None


def gdpr(r: dict, entities: list[str]) -> list[dict]:
    pii, card = r["pii"], r["data_card"]
    redactions = [n for n in card["lineage"] if n["redaction"]]
    special = [e for e in entities if any(s in e.upper() for s in SPECIAL)]
    found = ", ".join(f"{k} {v}" for k, v in (pii.get("by_type") or {}).items()) or "none"
    return [
        _item("GDPR", "Art. 5(1)(c)", "Data minimisation: only fields needed are kept; "
              "identifiers found in them are listed by field",
              [_ev("snapshot manifest", r["snapshot"]["manifest"],
                   f"{len(card['fields'])} field(s): {', '.join(card['fields'])}", "data-card"),
               _scan(r, "pii", f"identifiers by field: {pii.get('by_field') or {}}")],
              "no PII scan of this snapshot: run `govern scan pii REF`"),
        _item("GDPR", "Art. 9", "Special-category data (health, religion, ethnicity, ...)",
              [_scan(r, "pii", f"special-category detectors: {', '.join(special)}")]
              if special else [],
              "no special-category detector is configured ([pii] entities has none, e.g. NRP); "
              "this data was not examined for Art. 9 categories"),
        _item("GDPR", "Art. 4(1), 25", "Identifiers found and removed",
              [_scan(r, "pii", f"found: {found}; blocking {pii.get('blocking')}")]
              + [_ev("redacted snapshot", n["id"], f"{n['operation']}, {n['dropped']} record(s) "
                     f"dropped, redaction scan {str(n['redaction']['scan'])[:12]}", "lineage")
                 for n in redactions],
              "no PII scan and no redaction recorded for this snapshot"),
    ]


def ai_act(r: dict) -> list[dict]:
    card, val, leak = r["data_card"], r["validation"], r["leakage"]
    vdig = val.get("digest")
    gate = [a for a in r["gate"]["attestations"] if a["verified"]]
    att = _ev("gate attestation", gate[-1]["digest"], f"decision {gate[-1]['decision']}, "
              "signature verified", "gate") if gate else None
    labels = card.get("labels")
    return [
        _item("EU AI Act", "Art. 10(2)(b)", "Data collection processes and origin of data",
              [_ev("snapshot manifest", r["snapshot"]["manifest"],
                   f"{len(card['sources'])} source file(s) with sha256 and size", "data-card")],
              "no sources recorded"),
        _item("EU AI Act", "Art. 10(2)(c)", "Data-preparation operations (cleaning, redaction, "
              "derivation) and lineage",
              [_ev("lineage", n["manifest"], n["operation"], "lineage")
               for n in card["lineage"] if n["parent"]],
              "the snapshot was ingested as is: no preparation operation recorded", "n/a"),
        _item("EU AI Act", "Art. 10(2)(e)", "Assessment of availability, quantity and suitability",
              [_ev("validation result", vdig, f"suites pass: {val.get('success')}", "validation")
               if vdig else None],
              "no validation result: run `govern validate REF`"),
        _item("EU AI Act", "Art. 10(2)(f)", "Examination of possible biases",
              [_ev("label distribution", r["snapshot"]["manifest"],
                   f"{len(labels['values'])} label(s) counted", "data-card")] if labels else [],
              "govern records no bias examination for this layout; attach one to the sign-off"),
        _item("EU AI Act", "Art. 10(2)(h)", "Identification of data gaps and shortcomings",
              [_ev("validation result", vdig, "failed expectations listed per suite",
                   "validation") if vdig else None],
              "no validation result: run `govern validate REF`"),
        _item("EU AI Act", "Art. 10(3)", "Relevant, representative, free of errors, complete; "
              "no test-set contamination",
              [_ev("validation result", vdig, "expectations", "validation") if vdig else None,
               _scan(r, "leakage", f"{leak.get('leaked_records', 0)} record(s) leak golden items")
               if leak.get("digest") else None],
              "no validation or leakage result"),
        _item("EU AI Act", "Art. 10(4)", "Geographical, contextual, behavioural setting",
              [_ev("languages", r["snapshot"]["manifest"], "language field counted", "data-card")]
              if card.get("languages") else [],
              "the records carry no language or locale field; the intended setting is stated "
              "by the provider in the sign-off note", "n/a"),
        _item("EU AI Act", "Art. 10(5)", "Special categories processed for bias correction",
              [], "govern does not process special-category data to detect or correct bias", "n/a"),
        _item("EU AI Act", "Annex IV 2(d)", "Datasheets: provenance, scope, characteristics, "
              "selection, labelling, cleaning",
              [_ev("compliance report data card", r["snapshot"]["manifest"],
                   "data card and Hugging Face dataset card", "data-card"), att],
              "no data card"),
        _item("EU AI Act", "Annex IV 2(g)", "Validation and testing procedures, metrics, test "
              "logs, signed reports",
              [att] + [_ev("regression report", g["digest"], f"passed {g['passed']}", "evaluation")
                       for g in r["evaluation"]["regressions"]]
              + [_ev("eval result", e["digest"], f"{e['suite']} {e['metric']} {e['value']}",
                     "evaluation") for e in r["evaluation"]["results"][:5]],
              "no gate attestation or evaluation recorded"),
    ]


def mapping(r: dict, entities: list[str]) -> list[dict]:
    return gdpr(r, entities) + ai_act(r)
