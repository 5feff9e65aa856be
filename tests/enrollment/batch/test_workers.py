"""The worker pool: results come back in source order, and a record that kills its worker
process is rejected as ``worker_crashed`` while the records around it go through."""

from __future__ import annotations

from pathlib import Path

from enrollment.batch.job import prepared_stream
from enrollment.batch.sources import list_tasks
from enrollment.batch.worker import CRASH_ENV


def test_a_worker_crash_rejects_that_record_only(tmp_path: Path, monkeypatch) -> None:
    for name in "abcde":
        (tmp_path / f"{name}.nist").write_bytes(b"not a transaction " * 10)
    tasks = list_tasks(tmp_path, "ration", max_pixels=10**7)
    monkeypatch.setenv(CRASH_ENV, "b.nist")  # inherited by the spawned workers
    results = list(prepared_stream(tasks, workers=2))
    assert [r.key for r in results] == ["a.nist", "b.nist", "c.nist", "d.nist", "e.nist"]
    assert [r.reason for r in results] == ["nist_malformed", "worker_crashed",
                                           "nist_malformed", "nist_malformed", "nist_malformed"]
