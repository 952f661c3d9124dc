"""`govern adapter verify` re-hashes the adapter against its manifest and the store's record."""
from __future__ import annotations

import json

import pytest

from govern.digests import sha256_file
from tests.train.conftest import attest, chat_records, snapshot


@pytest.fixture
def adapter(govern, tiny_llama, train_toml):
    attest(govern, snapshot(govern, chat_records(8), "chat"))
    out = govern.tmp_path / "ad"
    res = govern("train", "chat", "--base-model", tiny_llama, "--out", out, "--config", train_toml,
                 "--max-steps", 1)
    assert res.exit_code == 0, res.output
    return out


def test_changed_weights_fail_verification(govern, adapter):
    weights = adapter / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    res = govern("adapter", "verify", adapter)
    assert res.exit_code == 3 and "adapter_model.safetensors" in res.output


def test_manifest_rewritten_to_match_fails_against_the_store(govern, adapter):
    weights = adapter / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    path = adapter / "govern-manifest.json"
    m = json.loads(path.read_text())
    m["adapter"]["files"]["adapter_model.safetensors"] = sha256_file(weights)
    from govern.digests import digest_json
    m["adapter"]["digest"] = digest_json(m["adapter"]["files"])
    path.write_text(json.dumps(m))          # weights_digest still names the recorded run
    res = govern("adapter", "verify", adapter)
    assert res.exit_code == 3 and "recorded in the store" in res.output
