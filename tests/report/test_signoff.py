"""`govern signoff`: signed, dated records bound to a report's digest; verify exits 3 once the
report changed; `require_approved` enforces [report] require_signoff for training."""
from __future__ import annotations

import json
import shutil

import pytest

from govern.errors import IntegrityError, PolicyViolation


@pytest.fixture
def signed(store_copy, chain):
    """A report copied into the private store's folder, and a helper to sign it."""
    report = store_copy.root / "reports" / chain.files["json"].name
    report.parent.mkdir()
    shutil.copy(chain.files["json"], report)

    def sign(by="Ada Lovelace", role="dpo", decision="approve", expect=0):
        return store_copy.run("signoff", report, "--by", by, "--role", role,
                              "--decision", decision, "--note", "checked the mapping",
                              expect=expect)
    return store_copy, report, sign


def test_signoff_as_written_and_verify(signed):
    c, report, sign = signed
    res = sign()
    assert "approve by Ada Lovelace (dpo)" in res.output
    files = list(report.parent.glob("*.signoff-*.json"))
    assert len(files) == 1
    env = json.loads(files[0].read_text())
    from govern.report.signoff import open_signoff
    from govern.digests import sha256_file
    statement = open_signoff(c.store(), env)
    subjects = {s["name"].split(":")[0]: s["digest"]["sha256"] for s in statement["subject"]}
    assert subjects[report.name] == sha256_file(report)
    assert subjects["snapshot"] == json.loads(report.read_text())["snapshot"]["id"]
    assert statement["predicate"]["date"].startswith("20")
    assert "Ada Lovelace" in c.run("signoff", "verify", report).output
    out = c.run("signoff", "verify", report, "--json").output
    assert json.loads(out)["valid"][0]["decision"] == "approve"
    c.run("signoff", "verify")  # every sign-off in the store


def test_verify_exits_3_when_the_report_changed(signed):
    c, report, sign = signed
    sign()
    data = json.loads(report.read_text())
    data["summary"]["ready_for_signoff"] = not data["summary"]["ready_for_signoff"]
    report.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    res = c.run("signoff", "verify", report, expect=3)
    assert "changed after it was signed off by Ada Lovelace" in res.output
    c.run("signoff", "verify", expect=3)


def test_verify_exits_3_for_a_tampered_record(signed):
    c, report, sign = signed
    sign()
    record = next(report.parent.glob("*.signoff-*.json"))
    env = json.loads(record.read_text())
    import base64
    statement = json.loads(base64.b64decode(env["payload"]))
    statement["predicate"]["decision"] = "reject"
    env["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    record.write_text(json.dumps(env))
    c.run("signoff", "verify", report, expect=3)


def test_signoff_rejects_a_file_that_is_not_a_report(signed, tmp_path):
    c, _, _ = signed
    other = tmp_path / "x.json"
    other.write_text('{"hello": 1}')
    c.run("signoff", other, "--by", "A", "--role", "dpo", "--decision", "approve", expect=2)
    c.run("signoff", other, "--by", "A", "--role", "dpo", "--decision", "maybe", expect=2)


def _require(c, roles=None):
    from govern.report.signoff import require_approved
    from govern.snapshot import resolve
    policy = c.policy()
    policy.data["report"] = {**policy.section("report"), "require_signoff": True,
                             "signoff_roles": roles or []}
    store = c.store()
    return require_approved(store, resolve(store, "tickets"), policy)


def test_require_approved(signed):
    c, report, sign = signed
    from govern.report.signoff import require_approved
    from govern.snapshot import resolve
    store = c.store()
    assert require_approved(store, resolve(store, "tickets"), c.policy()) is None  # not required
    with pytest.raises(PolicyViolation, match="has no approved sign-off"):
        _require(c)
    sign()
    assert len(_require(c)["signoffs"]) == 1
    with pytest.raises(PolicyViolation, match="ml-lead"):
        _require(c, ["dpo", "ml-lead"])
    sign(by="Grace Hopper", role="ml-lead", decision="reject")
    with pytest.raises(PolicyViolation, match="rejected by Grace Hopper"):
        _require(c, ["dpo", "ml-lead"])
    sign(by="Grace Hopper", role="ml-lead", decision="approve")
    assert len(_require(c, ["dpo", "ml-lead"])["signoffs"]) == 2
    report.write_text(report.read_text().replace('"records": 70', '"records": 71', 1))
    with pytest.raises(IntegrityError, match="changed after"):
        _require(c)
