"""The bounded extraction pool with real worker processes: same templates as in-process, a full
pool refuses with 503 + Retry-After, a job past its budget or a dead worker is replaced and the
pool goes on, workers past their memory bound are recycled; and an enrollment through the app
with a pool."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.packets import face_path, packet
from identity.biometrics import extraction_pool as xp
from identity.platform.errors import Invalid
from tests.conftest import bearer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fingers"


def _finger(name: str = "a_1.png") -> np.ndarray:
    with Image.open(FIXTURES / name) as im:
        return np.asarray(im.convert("L"))


def _job(n: int = 2, face: np.ndarray | None = None) -> xp.Job:
    names = ["a_1.png", "a_2.png", "b_1.png", "c_1.png"]
    fingers = [_finger(names[i % 4]) for i in range(n)]
    return xp.Job(face=face, fingers=fingers, dpis=[500] * n)


@pytest.fixture
def pool_of():
    pools: list[xp.ExtractionPool] = []

    def make(workers: int = 1, queue: int = 0, **kw) -> xp.ExtractionPool:
        pool = xp.ExtractionPool(workers, queue, sample_budget_s=kw.pop("budget", 30.0),
                                 backend="openvino", **kw)
        pool.wait_ready()
        pools.append(pool)
        return pool

    yield make
    for p in pools:
        p.close()


def test_worker_gives_the_in_process_templates(pool_of):
    job = _job(2)
    face, fingers = pool_of().run(job)
    assert face is None
    _, local = xp.run_job(job)
    from matching.fingerprint import compare

    for a, b in zip(fingers, local, strict=True):
        assert a.version == b.version
        assert compare(a, b) > 0.9  # the same image: (nearly) the same template


def test_full_pool_answers_busy_with_retry_after(pool_of):
    pool = pool_of(workers=1, queue=0)
    started = threading.Event()
    results: list[object] = []

    def first() -> None:
        started.set()
        results.append(pool.run(_job(8)))

    t = threading.Thread(target=first)
    t.start()
    started.wait()
    time.sleep(0.3)  # the 8-finger job takes well over a second
    with pytest.raises(xp.ExtractionBusy):
        pool.check_capacity()  # what decode_capture asks before decoding
    with pytest.raises(xp.ExtractionBusy) as err:
        pool.run(_job(1))
    assert err.value.status_code == 503 and err.value.code == "extraction_busy"
    assert int(err.value.details["retry_after_seconds"]) >= 1  # the handler's Retry-After
    t.join()
    assert len(results) == 1 and len(results[0][1]) == 8  # type: ignore[index]
    assert pool.run(_job(1))[1]  # capacity is back
    pool.check_capacity()


def test_job_past_its_budget_is_killed_and_the_pool_goes_on(pool_of):
    pool = pool_of(budget=0.01, fixed_allowance_s=0.0)
    before = pool.pids()
    with pytest.raises(xp.ExtractionTimeout) as err:
        pool.run(_job(4))
    assert err.value.status_code == 422
    assert pool.pids() != before  # replaced
    pool.sample_budget_s = 30.0
    assert len(pool.run(_job(1))[1]) == 1


def test_dead_worker_is_replaced(pool_of):
    pool = pool_of()
    (pid,) = pool.pids()
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    with pytest.raises(xp.ExtractionBusy):
        pool.run(_job(8))
    killer.join()
    assert pool.pids() != [pid]
    assert len(pool.run(_job(1))[1]) == 1


def test_worker_past_its_memory_bound_is_recycled(pool_of):
    pool = pool_of(max_rss_mb=1.0)  # every worker is over 1 MB: recycled after each job
    for _ in range(2):
        assert len(pool.run(_job(1))[1]) == 1
    assert pool.recycled == 2


def test_quality_errors_travel_back(pool_of):
    blank = np.full((300, 300), 200, np.uint8)
    face = np.zeros((200, 200, 3), np.uint8)
    got_face, fingers = pool_of().run(xp.Job(face=face, fingers=[blank], dpis=[500]))
    assert got_face == ("error", "no_face", "no face found in the image")
    assert fingers[0][:2] == ("error", "low_ridge_area")


@pytest.mark.shared_data
def test_enrollment_through_the_pool(shared_data, engine, tmp_path, make_key):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from identity.platform.settings import Settings

    settings = Settings(environment="test", data_dir=tmp_path / "var", extract_workers=1,
                        extract_queue=0, leader_backend="openvino")
    key = make_key("station", name="st-pool")
    with TestClient(create_app(settings, engine)) as client:
        pool = xp.current()
        assert pool is not None and pool.workers == 1
        data, files = packet(shared_data, capture_id="pool-1")
        r = client.post("/v1/enrollments", data=data, files=files, headers=bearer(key))
        assert r.status_code in (200, 201), r.text
        assert r.json()["status"] == "issued"
        # a blank 4096 x 4096 face: refused as no_face (its cost is measured in bench/)
        blank = Image.new("RGB", (4096, 4096), (255, 255, 255))
        import io

        buf = io.BytesIO()
        blank.save(buf, format="PNG")
        data, files = packet(shared_data, capture_id="pool-2", face=buf.getvalue())
        r = client.post("/v1/enrollments", data=data, files=files, headers=bearer(key))
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["reason"] == "no_face"
    assert xp.current() is None  # stopped with the app
    assert face_path(shared_data).exists()


def test_pool_settings_default_per_environment():
    from identity.platform.settings import Settings

    assert Settings(environment="test").extraction_workers == 0
    assert Settings(environment="development").extraction_workers == 2
    assert Settings(environment="test", extract_workers=3).extraction_workers == 3
    assert issubclass(xp.ExtractionTimeout, Exception) and not issubclass(xp.ExtractionBusy,
                                                                          Invalid)
