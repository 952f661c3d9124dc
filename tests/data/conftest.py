"""Fixtures for Hugging Face dataset sources: caches in tmp_path, and a hub cache laid out as
huggingface_hub lays it out (refs/, snapshots/<commit>/ with links into blobs/)."""
from __future__ import annotations

import hashlib
import os

import pytest

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hf_caches(tmp_path, monkeypatch):
    """Point the hub cache and the datasets cache at tmp_path (never the user's caches)."""
    import datasets.config
    import huggingface_hub.constants as hub
    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "datasets-cache")
    datasets.disable_progress_bars()
    return tmp_path / "hub"


def add_hub_dataset(hub_cache, repo_id: str, files: dict[str, bytes], commit: str = COMMIT,
                    ref: str = "main"):
    """A dataset repo in the hub cache: files (relative path -> bytes) stored as blobs named by
    their sha256, linked from snapshots/<commit>/, with refs/<ref> naming the commit."""
    repo = hub_cache / ("datasets--" + repo_id.replace("/", "--"))
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / ref).write_text(commit)
    for rel, data in files.items():
        blob = hashlib.sha256(data).hexdigest()
        (repo / "blobs" / blob).write_bytes(data)
        link = repo / "snapshots" / commit / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(repo / "blobs" / blob, link.parent), link)
    return repo


def parquet_bytes(records: list[dict], tmp_path) -> bytes:
    import datasets
    path = tmp_path / "part.parquet"
    datasets.Dataset.from_list(records).to_parquet(str(path))
    data = path.read_bytes()
    path.unlink()
    return data
