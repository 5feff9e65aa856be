"""The import's cluster mode on a small local Ray cluster: results in source order; a worker
killed mid-record has the record retried (decided once, nothing lost or duplicated); a record
that kills every worker is rejected as ``worker_crashed`` and the run goes on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from enrollment.batch.generator import BatchSpec, make_batch
from enrollment.batch.job import run_import
from enrollment.batch.sources import list_tasks
from enrollment.batch.worker import CRASH_ENV, CRASH_ONCE_ENV, prepare_face
from identity.platform.db import session_factory
from models.imports import ImportRecord

ray = pytest.importorskip("ray")


@pytest.fixture
def local_ray(monkeypatch, tmp_path):
    """Set the fault hooks first: Ray's workers inherit the environment at start."""

    def start(**env: str):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": env} if env else None)

    yield start
    ray.shutdown()


def test_order_and_a_record_that_kills_every_worker(tmp_path: Path, local_ray) -> None:
    from enrollment.batch import cluster

    for name in "abcd":
        (tmp_path / f"{name}.nist").write_bytes(b"not a transaction " * 10)
    tasks = list_tasks(tmp_path, "ration", max_pixels=10**7)
    local_ray(**{CRASH_ENV: "b.nist"})
    results = list(cluster.ray_stream(tasks, "auto", memory_mb=200, max_retries=1))
    assert [r.key for r in results] == ["a.nist", "b.nist", "c.nist", "d.nist"]
    assert [r.reason for r in results] == ["nist_malformed", "worker_crashed",
                                           "nist_malformed", "nist_malformed"]
    # the all-vs-all face pass sends its own function to the same workers
    faces = list(cluster.ray_stream(tasks, "auto", memory_mb=200, max_retries=1,
                                    fn=prepare_face))
    assert [(r.key, r.reason) for r in faces] == [(t.key, "nist_malformed") for t in tasks]


@pytest.mark.shared_data
def test_killed_worker_retries_the_record_nothing_lost_or_twice(shared_data: Path, tmp_path: Path,
                                                                local_ray, sqlite_engine,
                                                                settings) -> None:
    truth = make_batch(tmp_path / "batch", shared_data,
                       BatchSpec(persons=3, fingers=1, duplicate_share=0.0, weak=0, seed=5))
    folder = Path(truth["folders"]["civil_status"]) if "civil_status" in truth["folders"] \
        else Path(next(iter(truth["folders"].values())))
    register = folder.name
    keys = [t.key for t in list_tasks(folder, register, max_pixels=10**8)]
    marker = tmp_path / "crashed-once"
    local_ray(**{CRASH_ONCE_ENV: str(marker), CRASH_ENV + "_ONCE_KEY": keys[-1]})
    report = run_import(folder, register, engine=sqlite_engine, settings=settings,
                        cluster="auto", bar=False)
    assert marker.read_text() == keys[-1]  # the worker did die on that record
    with session_factory(sqlite_engine)() as s:
        rows = s.scalars(select(ImportRecord)).all()
    assert Counter(r.record_key for r in rows) == Counter(keys)  # each once
    assert {r.status for r in rows} == {"issued"}, [(r.record_key, r.reason) for r in rows]
    assert report["outcomes"] == {"issued": len(keys)}
