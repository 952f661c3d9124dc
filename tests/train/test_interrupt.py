"""Ctrl-C during `govern train` saves a checkpoint (exit 130); --resume continues from it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.train.conftest import attest, chat_records, snapshot


def test_ctrl_c_leaves_a_resumable_checkpoint(govern, tiny_llama, train_toml):
    attest(govern, snapshot(govern, chat_records(16), "chat"))
    out = govern.tmp_path / "ad"
    cmd = [str(Path(sys.executable).parent / "govern"), "--store", str(govern.store), "train", "chat",
           "--base-model", str(tiny_llama), "--out", str(out), "--config", str(train_toml)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd + ["--max-steps", "100000"], cwd=govern.tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:              # the Trainer prints a loss line per step
        if "'loss'" in line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    rest = proc.communicate(timeout=120)[0]
    assert proc.returncode == 130, rest[-2000:]
    assert "--resume" in rest
    checkpoints = sorted((out / "checkpoints").glob("checkpoint-*"))
    assert checkpoints and not (out / "govern-manifest.json").exists()
    done = int(checkpoints[-1].name.split("-")[1])
    res = govern("train", "chat", "--base-model", tiny_llama, "--out", out, "--config", train_toml,
                 "--max-steps", done + 2, "--resume")
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "govern-manifest.json").read_text())
    assert manifest["metrics"]["steps"] == done + 2
    assert res.output.count("'loss'") == 2            # continued from the checkpoint, not restarted
