"""Gate fixtures: support-ticket data, snapshots and policy edits on the `govern` store."""
from __future__ import annotations

import json

import pytest

LABELS = ["billing", "technical", "account", "shipping"]


def ticket_rows(n=16, extra=()):
    rows = [{"id": f"T{i:04d}", "text": f"my parcel number {i} arrived late again",
             "label": LABELS[i % 4]} for i in range(n)]
    return rows + list(extra)


class Data:
    """Writes JSONL files and snapshots them through the CLI."""

    rows = staticmethod(ticket_rows)

    def __init__(self, govern):
        self.govern = govern

    def snapshot(self, name, rows, parent=None):
        path = self.govern.tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        args = ["snapshot", "create", path, "--name", name] + (["--parent", parent] if parent else [])
        res = self.govern(*args)
        assert res.exit_code == 0, res.output
        return res.output.strip().splitlines()[-1]

    def edit_policy(self, old, new):
        pol = self.govern.tmp_path / "govern.toml"
        text = pol.read_text()
        assert old in text, old
        pol.write_text(text.replace(old, new, 1))

    def require(self, *checks):
        self.edit_policy('require = ["pii", "secrets", "leakage", "validation", "min_records"]',
                         "require = " + json.dumps(list(checks)))

    def store(self):
        from govern.store import open_store
        return open_store(self.govern.store)

    def policy(self):
        from govern.policy import load_policy
        return load_policy(self.govern.tmp_path / "govern.toml")


@pytest.fixture
def data(govern):
    return Data(govern)
