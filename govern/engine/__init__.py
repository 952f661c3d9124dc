"""Engines that run per-batch work: a local process pool (default) and Ray Data ([ray] extra).

Work is expressed once as a picklable `BatchJob`: `setup()` builds heavy state once per worker
(spaCy/presidio, MiniLM, golden indexes) and `run(state, batch)` maps a list of records to a
list of results. Every engine returns results in batch order.
"""
from govern.engine.local import BatchJob, run_batches

__all__ = ["BatchJob", "run_batches"]
