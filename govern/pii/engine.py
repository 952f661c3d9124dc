"""The unit of scanning work both engines run: a batch of distinct texts in, spans out.

`PiiJob` is picklable (it carries only plain settings), so the local process pool and a Ray
engine can ship it to workers; `setup()` builds the analyzer once per worker.
"""
from __future__ import annotations

from govern.engine.local import BatchJob


class PiiJob(BatchJob):
    """run(analyzer, texts) -> per text a list of (entity, start, end, score, detector)
    spans, or the name of the error that stopped that text."""

    def __init__(self, settings: dict):
        self.settings = settings

    def setup(self):
        return None  # built on the first batch: a fully cached scan never loads a model

    def run(self, state, batch: list[str]) -> list:
        from govern.pii.analyzer import analyzer_for
        return analyzer_for(self.settings).analyze(batch)
