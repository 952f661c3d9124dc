"""A new user's own data, end to end: a clean 3-label Hugging Face dataset with labels of its
own, snapshot, the default gate (PII, secrets, validation, min_records), training with the
classification defaults, `adapter verify`; and the early warning when the loss never moves."""
from __future__ import annotations

import json

from tests.train.conftest import chat_records, snapshot

TOPICS = {"refund": "money back for the order that was returned",
          "bug": "the app crashes when the settings page opens",
          "hours": "when is the support desk open during the week"}


def own_records(n_per_label=10):
    out = []
    for i in range(n_per_label):
        for label, text in TOPICS.items():
            out.append({"text": f"{text} case {['one', 'two', 'three', 'four', 'five'][i % 5]}"
                                f" {'again ' * (i // 5)}please", "label": label})
    return out


def test_own_labels_from_a_dataset_folder_to_a_verified_adapter(govern, tmp_path):
    import datasets
    datasets.disable_progress_bars()
    recs = own_records()
    datasets.DatasetDict({"train": datasets.Dataset.from_list(recs[:24]),
                          "test": datasets.Dataset.from_list(recs[24:])}).save_to_disk(str(tmp_path / "hfds"))
    res = govern("snapshot", "create", tmp_path / "hfds", "--name", "support")
    assert res.exit_code == 0, res.output
    assert "30 records, layout classification" in res.output
    gate = govern("gate", "support", "--run", "--format", "json")
    assert gate.exit_code == 0, gate.output
    checks = {c["name"]: c["status"] for c in json.loads(gate.output)["checks"]}
    assert checks == {"pii": "pass", "secrets": "pass", "leakage": "n/a", "validation": "pass",
                      "min_records": "pass"}
    out = tmp_path / "adapter"
    res = govern("train", "support", "--task", "classification", "--out", out,
                 "--max-steps", 3, "--max-length", 24)
    assert res.exit_code == 0, res.output
    m = json.loads((out / "govern-manifest.json").read_text())
    assert m["labels"] == ["bug", "hours", "refund"]
    assert m["config"]["learning_rate"] == 2e-3 and m["config"]["warmup_ratio"] == 0.1
    assert "pooler" in m["config"]["modules_to_save"]
    from safetensors import safe_open
    with safe_open(out / "adapter_model.safetensors", "pt") as f:
        saved = list(f.keys())
    assert any("pooler" in k for k in saved) and any("classifier" in k for k in saved)
    # the tokenised training set is cached by snapshot id in the store
    sid = m["snapshot"]["id"]
    assert list((govern.store / "cache" / "train").glob(f"{sid[:16]}-*.arrow"))
    verify = govern("adapter", "verify", out)
    assert verify.exit_code == 0, verify.output
    # and the attested snapshot goes back out as a dataset naming its attestation
    res = govern("snapshot", "export", "support", "--format", "hf", tmp_path / "attested")
    assert res.exit_code == 0, res.output
    ds = datasets.load_from_disk(str(tmp_path / "attested"))
    assert ds.num_rows == 30 and m["attestation"]["digest"] in ds.info.description


def test_a_loss_that_never_moves_is_warned_about(govern, tiny_llama, tmp_path):
    from tests.train.conftest import attest
    ref = snapshot(govern, chat_records(8), "chat")
    attest(govern, ref)
    toml = tmp_path / "still.toml"
    toml.write_text("[train]\nmax_length = 64\nbatch_size = 8\nlearning_rate = 1e-12\n"
                    "epochs = 3\nseed = 7\n")
    res = govern("train", "chat", "--base-model", tiny_llama, "--out", tmp_path / "ad",
                 "--config", toml)
    assert res.exit_code == 0, res.output
    m = json.loads((tmp_path / "ad" / "govern-manifest.json").read_text())
    assert m["metrics"]["warnings"] and "has not moved below its starting value" in \
        m["metrics"]["warnings"][0]
    assert "warning: training loss has not moved" in res.output
