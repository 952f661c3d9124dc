"""Validation fixtures: one GX context per session, and data files written to tmp_path."""
from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session")
def gx_context():
    from govern.validate.run import gx_context
    return gx_context()


@pytest.fixture
def write_jsonl(tmp_path):
    def write(records, name="data.jsonl"):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path
    return write
