"""Engines that run per-batch work: a local process pool (default) and Ray Data ([ray] extra).

Work is expressed once as a picklable `BatchJob`: `setup()` builds heavy state once per worker
(spaCy/presidio, MiniLM, golden indexes) and `run(state, batch)` maps a list of records to a
list of results. Every engine returns results in batch order; `run(job, batches, workers,
engine)` picks the engine that `choose_engine` resolved (command line, environment, policy).
"""
from govern.engine.choice import ENGINES, LOCAL, Engine, choose_engine, run
from govern.engine.local import BatchJob, run_batches

__all__ = ["BatchJob", "ENGINES", "Engine", "LOCAL", "choose_engine", "run", "run_batches"]
