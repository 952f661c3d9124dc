"""The gate is enforced by `govern train`: refusals and their exit codes, before any data is read."""
from __future__ import annotations

import base64
import io
import json
import os
import stat

import pytest

from tests.train.conftest import attest, chat_records, snapshot


def _train(govern, model, toml):
    return govern("train", "chat", "--base-model", model, "--out", govern.tmp_path / "ad",
                  "--config", toml, "--max-steps", 2)


def _refused(govern, res, code, *words):
    assert res.exit_code == code, res.output
    for w in words:
        assert w in res.output
    assert not (govern.tmp_path / "ad").exists()


def test_unattested_snapshot_is_refused(govern, tiny_llama, train_toml):
    snapshot(govern, chat_records(8), "chat")
    _refused(govern, _train(govern, tiny_llama, train_toml), 1, "no gate attestation", "govern gate chat --run")


def test_failed_gate_is_refused(govern, tiny_llama, train_toml):
    attest(govern, snapshot(govern, chat_records(8), "chat"), decision="fail")
    _refused(govern, _train(govern, tiny_llama, train_toml), 1, "gate failed", "pii")


def test_attestation_under_an_older_policy_is_stale(govern, tiny_llama, train_toml):
    attest(govern, snapshot(govern, chat_records(8), "chat"))
    policy = govern.tmp_path / "govern.toml"
    policy.write_text(policy.read_text().replace("max_depth = 32", "max_depth = 31"))
    _refused(govern, _train(govern, tiny_llama, train_toml), 1, "stale")


def _replace_attestation(govern, ref, change):
    from govern.store import open_store
    store = open_store(govern.store)
    row = store.db.execute("SELECT rowid, digest FROM results WHERE kind='attestation'").fetchone()
    envelope = change(store.get_json(row[1]))
    with store.transaction() as db:
        db.execute("UPDATE results SET digest=? WHERE rowid=?", (store.put_json(envelope), row[0]))
    store.close()


def _flip_decision(env):
    statement = json.loads(base64.b64decode(env["payload"]))
    statement["predicate"]["decision"] = "pass"
    return {**env, "payload": base64.b64encode(json.dumps(statement).encode()).decode()}


@pytest.mark.parametrize("change", [_flip_decision, lambda env: {**env, "signatures": []}],
                         ids=["tampered", "unsigned"])
def test_tampered_or_unsigned_attestation_is_an_integrity_failure(govern, tiny_llama, train_toml, change):
    ref = snapshot(govern, chat_records(8), "chat")
    attest(govern, ref, decision="fail")
    _replace_attestation(govern, ref, change)
    _refused(govern, _train(govern, tiny_llama, train_toml), 3)


def test_record_swapped_after_the_gate_stops_training(govern, tiny_llama, train_toml):
    """Bytes of a stored shard changed between gate and train: exit 3, no adapter."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from govern.snapshot import resolve
    from govern.store import open_store
    ref = snapshot(govern, chat_records(8), "chat")
    attest(govern, ref)
    store = open_store(govern.store)
    shard = resolve(store, ref).manifest["shards"][0]["digest"]
    path = store.objects.path(shard)
    table = pq.read_table(io.BytesIO(path.read_bytes()))
    records = table.column("record").to_pylist()
    records[3] = records[3].replace("yes", "no")
    table = table.set_column(0, "record", pa.array(records, pa.large_string()))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    path.write_bytes(buf.getvalue())
    store.close()
    _refused(govern, _train(govern, tiny_llama, train_toml), 3)


def _require_baseline(govern):
    policy = govern.tmp_path / "govern.toml"
    text = policy.read_text().replace("require_baseline = false", "require_baseline = true")
    assert "require_baseline = true" in text
    policy.write_text(text)


def test_required_eval_baseline_blocks_until_recorded(govern, tiny_llama, train_toml):
    """[eval] require_baseline: no recorded no-fine-tune baseline on the golden suite -> exit 1."""
    import shutil
    from pathlib import Path
    shutil.copytree(Path(__file__).resolve().parents[2] / "evals", govern.tmp_path / "evals")
    _require_baseline(govern)
    attest(govern, snapshot(govern, chat_records(8), "chat"))  # attested under the new policy
    _refused(govern, _train(govern, tiny_llama, train_toml), 1, "no baseline recorded",
             "govern eval")


def test_required_signoff_blocks_until_approved(govern, tiny_llama, train_toml):
    """[report] require_signoff: no approved sign-off of a compliance report -> exit 1."""
    policy = govern.tmp_path / "govern.toml"
    text = policy.read_text().replace("require_signoff = false", "require_signoff = true")
    assert "require_signoff = true" in text
    policy.write_text(text)
    attest(govern, snapshot(govern, chat_records(8), "chat"))
    _refused(govern, _train(govern, tiny_llama, train_toml), 1, "no approved sign-off",
             "govern signoff")
