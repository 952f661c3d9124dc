"""Engine test fixtures: one local Ray cluster of 2 CPUs for the whole session, stores that
share one fingerprint key (copies), and the bundled sample data."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from tests.conftest import Govern

ROOT = Path(__file__).resolve().parents[2]
TICKETS = ROOT / "examples" / "support_tickets.jsonl"
GOLDEN = ROOT / "evals" / "golden" / "support_tickets.jsonl"


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster (2 CPUs, no dashboard), started once per session; the engine
    uses it instead of starting its own."""
    import ray
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=256 * 1024 ** 2,
             logging_level=logging.ERROR, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture
def twin_stores(tmp_path, monkeypatch):
    """Returns copy(name) -> a Govern CLI on a copy of one initialised store: the copies share
    the fingerprint key (so findings compare byte for byte) but no cached results."""
    monkeypatch.chdir(tmp_path)
    base = Govern(tmp_path)
    assert base("init").exit_code == 0

    def copy(name: str) -> Govern:
        shutil.copytree(base.store, tmp_path / name / ".govern")
        return Govern(tmp_path / name)
    copy.base = base
    return copy


@pytest.fixture
def ray_jobs(monkeypatch) -> list[str]:
    """Names of the BatchJob classes the Ray engine ran during the test (a spy, not a mock:
    the real engine runs)."""
    from govern.engine import ray as ray_engine
    names, real = [], ray_engine.run_ray

    def spy(job, *args, **kwargs):
        names.append(type(job).__name__)
        return real(job, *args, **kwargs)
    monkeypatch.setattr(ray_engine, "run_ray", spy)
    return names


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]
