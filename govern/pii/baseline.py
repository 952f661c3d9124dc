"""The accepted-findings baseline: a sorted, diffable JSON file kept in the repository.

Entries name findings by fingerprint (never by value) with a reason, an approver and an expiry
date; a scan fails only on findings not in the baseline (new = current - baseline), and an
expired entry fails again. Comments inside the data ("pragma: allowlist") are never honoured.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from govern.digests import digest_json
from govern.errors import InputError, UsageError
from govern.findings import Finding

FORMAT = 1


@dataclass
class Baseline:
    path: Path
    entries: dict[str, dict] = field(default_factory=dict)  # fingerprint -> entry

    @property
    def digest(self) -> str:
        return digest_json(self.to_json())

    def to_json(self) -> dict:
        return {"format": FORMAT, "entries": [self.entries[k] for k in sorted(self.entries)]}

    def status(self, fingerprint: str | None, today: dt.date) -> str | None:
        """'accepted', 'expired' or None (not in the baseline)."""
        entry = self.entries.get(fingerprint or "")
        if entry is None:
            return None
        return "accepted" if dt.date.fromisoformat(entry["expires"]) >= today else "expired"


def baseline_path(policy) -> Path:
    name = Path(policy.section("pii")["baseline"])
    return name if name.is_absolute() else policy.base_dir() / name


def load_baseline(path: Path) -> Baseline:
    path = Path(path)
    if not path.exists():
        return Baseline(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported format {data.get('format')!r}")
        entries = {}
        for e in data["entries"]:
            dt.date.fromisoformat(e["expires"])
            entries[e["fingerprint"]] = e
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError(f"not a valid baseline file ({type(e).__name__}: {e})", str(path),
                         hint="restore it from version control, or remove it to start over") from None
    return Baseline(path, entries)


def save_baseline(baseline: Baseline) -> None:
    text = json.dumps(baseline.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    tmp = baseline.path.with_suffix(baseline.path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(baseline.path)


def parse_expiry(value: str, today: dt.date | None = None) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"expiry {value!r} is not a date", hint="use YYYY-MM-DD") from None
    if day < (today or dt.date.today()):
        raise UsageError(f"expiry {value} is in the past")
    return day.isoformat()


def accept(baseline: Baseline, findings: Iterable[Finding], reason: str, approver: str,
           expires: str) -> int:
    """Add (or renew) an entry for each finding's fingerprint; returns how many changed."""
    if not reason.strip() or not approver.strip():
        raise UsageError("a reason and an approver are required to accept findings")
    changed = 0
    today = dt.date.today().isoformat()
    for f in findings:
        if not f.fingerprint:
            continue
        entry = {"fingerprint": f.fingerprint, "type": f.type, "mask": f.mask,
                 "reason": reason, "approver": approver, "expires": expires, "accepted": today}
        old = baseline.entries.get(f.fingerprint)
        if old is None or {k: old.get(k) for k in ("reason", "approver", "expires")} != \
                {k: entry[k] for k in ("reason", "approver", "expires")}:
            baseline.entries[f.fingerprint] = entry
            changed += 1
    return changed


def accept_findings(store, args: list[str], policy, reason: str, approver: str, expires: str,
                    types: list[str] | None = None,
                    fingerprints: list[str] | None = None) -> tuple[int, Path]:
    """Scan the target and accept its findings (optionally only some types/fingerprints)."""
    from govern.pii.scan import scan_target
    from govern.snapshot.target import open_target
    expires = parse_expiry(expires)
    scan = scan_target(store, open_target(store, args), policy)
    if scan.summary["failed"]:
        raise UsageError("the scan could not read every record; nothing was accepted")
    chosen = [f for f in scan.findings if (not types or f.type in types)
              and (not fingerprints or f.fingerprint in fingerprints)]
    path = baseline_path(policy)
    baseline = load_baseline(path)
    changed = accept(baseline, chosen, reason, approver, expires)
    if changed:
        save_baseline(baseline)
    store.audit("baseline accept", {"target": scan.summary.get("snapshot") or args,
                                    "approver": approver},
                {"baseline": baseline.digest, "changed": changed})
    return changed, path
