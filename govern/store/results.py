"""Results bound to their subject: what a stored result object says it is evidence for.

A catalog row (kind, subject, config) -> digest is only an index. The object itself names its
subject: plain results carry a `bound` block (kind, subject, config and the ledger head when
written); signed envelopes (attestations, sign-offs) name theirs inside the signed statement.
A reader accepts an object only when it hashes to its digest and names the row it is read for.
"""
from __future__ import annotations

import base64
import binascii
import json

from govern.digests import digest_json
from govern.errors import IntegrityError

BOUND = "bound"
ENVELOPE_KEYS = {"payload", "payloadType", "signatures"}


def is_envelope(obj) -> bool:
    return isinstance(obj, dict) and set(obj) == ENVELOPE_KEYS


def bind(kind: str, subject: str, config: str, payload: dict, head: tuple[int, str]) -> dict:
    """The object to store: the payload plus its binding (envelopes are bound by signature)."""
    if is_envelope(payload) or not isinstance(payload, dict):
        return payload
    return {**payload, BOUND: {"kind": kind, "subject": subject, "config": config,
                               "ledger": {"seq": head[0], "hash": head[1]}}}


def statement(envelope: dict) -> dict:
    """The statement inside an envelope, unverified (for the index check only)."""
    try:
        out = json.loads(base64.b64decode(envelope["payload"], validate=True))
    except (binascii.Error, ValueError, TypeError):
        raise IntegrityError("a stored envelope's payload is not readable") from None
    if not isinstance(out, dict):
        raise IntegrityError("a stored envelope's payload is not a statement")
    return out


def _envelope_names(envelope: dict) -> tuple[set, set]:
    st = statement(envelope)
    pred = st.get("predicate") if isinstance(st.get("predicate"), dict) else {}
    subjects = {((s or {}).get("digest") or {}).get("sha256")
                for s in st.get("subject") or [] if isinstance(s, dict)}
    subjects.add((pred.get("snapshot") or {}).get("id") if isinstance(pred.get("snapshot"), dict)
                 else None)
    configs = {((pred.get("policy") or {}).get("digest") or {}).get("sha256")
               if isinstance(pred.get("policy"), dict) else None, digest_json(envelope)}
    return subjects - {None}, configs - {None}


def check(row: dict, obj) -> dict | None:
    """The payload without its binding when OBJ names ROW's (kind, subject, config); None for
    an unbound result of an older govern (not evidence); IntegrityError when it names another."""
    what = f"the stored {row['kind']} result {row['digest'][:12]} for {row['subject'][:12]}"
    if is_envelope(obj):
        subjects, configs = _envelope_names(obj)
        if row["subject"] not in subjects or row["config"] not in configs:
            raise IntegrityError(f"{what} names another snapshot or policy (swapped or edited "
                                 "catalog)", hint="run `govern verify --all`; re-run the step")
        return obj
    if not isinstance(obj, dict) or not isinstance(obj.get(BOUND), dict):
        return None
    b = obj[BOUND]
    if (b.get("kind"), b.get("subject"), b.get("config")) != \
            (row["kind"], row["subject"], row["config"]):
        raise IntegrityError(f"{what} names {b.get('kind')} of {str(b.get('subject'))[:12]} "
                             "instead (swapped or edited catalog)",
                             hint="run `govern verify --all`; re-run the step for this snapshot")
    return {k: v for k, v in obj.items() if k != BOUND}


def recorded_head(obj) -> dict | None:
    """The ledger head recorded inside a result or attestation, if any."""
    if is_envelope(obj):
        try:
            pred = statement(obj).get("predicate") or {}
        except IntegrityError:
            return None
        return pred.get("ledger") if isinstance(pred, dict) else None
    if isinstance(obj, dict) and isinstance(obj.get(BOUND), dict):
        return obj[BOUND].get("ledger")
    return None
