"""Attestations: valid ones verify (exit 0); tampered, swapped, unsigned or foreign ones exit 3."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings, strategies as st

from govern.digests import canonical_json
from govern.errors import IntegrityError
from govern.gate import signing
from govern.gate.attestation import read_envelope, verify_attestation


@pytest.fixture
def attested(govern, data):
    """A gated snapshot `clean` and its attestation exported to attestation.json."""
    data.require("min_records")
    data.snapshot("clean", data.rows())
    assert govern("gate", "clean").exit_code == 0
    path = govern.tmp_path / "attestation.json"
    assert govern("attest", "export", "clean", path).exit_code == 0
    return path


def resign(envelope, statement, key):
    return signing.sign(canonical_json(statement).encode(), key) if key else \
        dict(envelope, payload=base64.b64encode(canonical_json(statement).encode()).decode())


def statement_of(envelope):
    return json.loads(base64.b64decode(envelope["payload"]))


def write_pem(path, key, private=True):
    if private:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    else:
        path.write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def test_valid_attestation_verifies_by_file_and_by_ref(govern, attested):
    by_file = govern("attest", "verify", attested)
    assert by_file.exit_code == 0, by_file.output
    assert "decision pass" in by_file.output
    by_ref = govern("attest", "verify", "clean", "--json")
    assert by_ref.exit_code == 0
    assert json.loads(by_ref.stdout)["statement"]["predicate"]["verificationResult"] == "PASSED"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_editing_any_byte_is_detected(govern, attested, draw):
    raw = attested.read_bytes()
    pos = draw.draw(st.integers(0, len(raw) - 1))
    byte = draw.draw(st.integers(0, 255).filter(lambda b: b != raw[pos]))
    tampered = govern.tmp_path / "tampered.json"
    tampered.write_bytes(raw[:pos] + bytes([byte]) + raw[pos + 1:])
    from govern.store import open_store
    with pytest.raises(IntegrityError):
        verify_attestation(open_store(govern.store), tampered)


def test_tampered_file_exits_3_on_the_cli(govern, attested):
    env = read_envelope(attested)
    st_ = statement_of(env)
    st_["predicate"]["decision"] = "pass"
    st_["predicate"]["checks"][0]["reason"] = "edited"
    out = govern.tmp_path / "edited.json"
    out.write_text(canonical_json(resign(env, st_, None)) + "\n")
    res = govern("attest", "verify", out)
    assert res.exit_code == 3 and "tampered" in res.output


def test_swapped_subject_exits_3(govern, data, attested):
    other = data.snapshot("other", data.rows(12))
    env = read_envelope(attested)
    st_ = statement_of(env)
    st_["subject"][0]["digest"]["sha256"] = other
    swapped = govern.tmp_path / "swapped.json"
    swapped.write_text(canonical_json(resign(env, st_, None)) + "\n")
    assert govern("attest", "verify", swapped).exit_code == 3
    # the untouched envelope recorded under the other snapshot: training refuses it
    from govern.gate.attestation import require_valid
    from govern.snapshot import resolve
    store, policy = data.store(), data.policy()
    store.put_result("attestation", other, policy.digest, env)
    with pytest.raises(IntegrityError, match="swapped"):
        require_valid(store, resolve(store, "other"), policy)


def test_signed_by_an_unknown_key_exits_3_unless_trusted(govern, attested):
    env = read_envelope(attested)
    foreign = Ed25519PrivateKey.generate()
    forged = govern.tmp_path / "forged.json"
    forged.write_text(canonical_json(resign(env, statement_of(env), foreign)) + "\n")
    res = govern("attest", "verify", forged)
    assert res.exit_code == 3 and "unknown key" in res.output
    pub = write_pem(govern.tmp_path / "ci.pub", foreign, private=False)
    assert govern("attest", "verify", forged, "--key", pub).exit_code == 0
    # a foreign signature claiming the store key's id is a bad signature, not a trusted one
    spoof = resign(env, statement_of(env), foreign)
    spoof["signatures"][0]["keyid"] = env["signatures"][0]["keyid"]
    forged.write_text(canonical_json(spoof) + "\n")
    assert govern("attest", "verify", forged, "--key", pub).exit_code == 3


def test_unsigned_and_unattested_exit_3(govern, data, attested):
    env = dict(read_envelope(attested), signatures=[])
    unsigned = govern.tmp_path / "unsigned.json"
    unsigned.write_text(canonical_json(env) + "\n")
    res = govern("attest", "verify", unsigned)
    assert res.exit_code == 3 and "unsigned" in res.output
    data.snapshot("never-gated", data.rows(11))
    assert govern("attest", "verify", "never-gated").exit_code == 3


def test_ci_key_from_environment_signs_and_verifies(govern, data, monkeypatch):
    key = Ed25519PrivateKey.generate()
    path = write_pem(govern.tmp_path / "ci.key", key)
    monkeypatch.setenv("GOVERN_SIGNING_KEY", str(path))
    data.require("min_records")
    data.snapshot("clean", data.rows())
    assert govern("gate", "clean").exit_code == 0
    res = govern("attest", "verify", "clean", "--json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["keyid"] == signing.key_id(key.public_key())
    monkeypatch.delenv("GOVERN_SIGNING_KEY")
    assert govern("attest", "verify", "clean").exit_code == 3  # no longer a trusted key
