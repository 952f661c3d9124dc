"""The same `govern train` command under torchrun with two processes (DDP over gloo, CPU)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.train.conftest import attest, chat_records, snapshot


def test_two_process_ddp_run_records_both_processes(govern, tiny_llama, train_toml):
    ref = snapshot(govern, chat_records(32), "chat")
    attest(govern, ref)
    script = Path(sys.executable).parent / "govern"
    out = govern.tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--master_port", "29531", "--no-python", str(script), "--store", str(govern.store),
           "train", "chat", "--base-model", str(tiny_llama), "--out", str(out),
           "--config", str(train_toml), "--max-steps", "3", "--batch-size", "4"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cmd, cwd=govern.tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((out / "govern-manifest.json").read_text())
    assert manifest["world_size"] == 2 and manifest["launcher"] == "distributed"
    assert sorted(d["rank"] for d in manifest["devices"]) == [0, 1]
    assert manifest["metrics"]["steps"] == 3
    res = govern("adapter", "verify", out)
    assert res.exit_code == 0, res.output
    listed = json.loads(govern("adapter", "list", "--json").output)
    assert len(listed) == 1      # only rank 0 records the run
