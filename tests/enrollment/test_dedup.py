"""Dedup with real images: issued / matched (+ fraud flag) / review, concurrency, and the
index's durability (reconcile after a crash, corrupt snapshot)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from bench.packets import DEMOGRAPHICS, OTHER_DEMOGRAPHICS, packet
from identity.biometrics.gallery import FACE_FILE, FINGER_FILE, Gallery
from identity.platform.db import session_factory
from models.dedup import DuplicateCase
from models.person import Person
from tests.conftest import bearer

FINGERS = (1, 2, 3, 4)


def _packet(shared: Path, cap: str, face: str | None, db: str, imp: int,
            fingers: tuple[int, ...] = FINGERS, **demo: str):
    from bench.packets import face_path, finger_path

    return packet(
        shared, capture_id=cap, demographics=dict(DEMOGRAPHICS, **demo),
        face=face_path(shared, face).read_bytes() if face else None,
        fingers={p: finger_path(shared, p, imp, db).read_bytes() for p in fingers},
        missing={p: "not_captured" for p in range(1, 11) if p not in fingers},
    )


@pytest.fixture
def station(make_key) -> dict[str, str]:
    return bearer(make_key("station", name="station-1"))


def _post(client, station, data_files) -> tuple[int, dict]:
    data, files = data_files
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code < 500, resp.text
    return resp.status_code, resp.json()


def test_issued_then_matched_then_fraud_then_other_person(client, station, make_key, engine,
                                                          shared_data: Path) -> None:
    code, first = _post(client, station, _packet(shared_data, "a1", "obama.jpg",
                                                 "FVC2002_DB1_B", 1))
    assert (code, first["status"]) == (201, "issued")

    code, again = _post(client, station, _packet(shared_data, "a2", "obama2.jpg",
                                                 "FVC2002_DB1_B", 2))
    assert (code, again["status"]) == (200, "matched"), again
    assert again["national_id"] == first["national_id"] and again["fraud_flag"] is False

    code, fraud = _post(client, station, _packet(shared_data, "a3", None, "FVC2002_DB1_B", 3,
                                                 given_name="محمد", birth_date="1990-01-01"))
    assert (code, fraud["status"], fraud["fraud_flag"]) == (200, "matched", True), fraud
    assert fraud["national_id"] == first["national_id"]

    code, other = _post(client, station, _packet(shared_data, "b1", "biden.jpg",
                                                 "FVC2002_DB2_B", 1, **OTHER_DEMOGRAPHICS))
    assert (code, other["status"]) == (201, "issued")
    assert other["national_id"] != first["national_id"]

    admin = bearer(make_key("admin", name="adm"))
    person = client.get(f"/v1/persons/{first['national_id']}", headers=admin).json()
    assert person["fraud_flag"] is True
    assert len([s for s in person["samples"] if s["modality"] == "finger"]) == 12
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 2


def test_conflicting_evidence_opens_a_case(client, station, make_key, shared_data: Path) -> None:
    """The same face and demographics with four fingers of someone else: the biometrics cannot
    match, but with those demographics the person on file is likely: an adjudicator decides."""
    code, first = _post(client, station, _packet(shared_data, "a1", "obama.jpg",
                                                 "FVC2002_DB1_B", 1))
    assert code == 201
    code, held = _post(client, station, _packet(shared_data, "a2", "obama2.jpg",
                                                "FVC2002_DB2_B", 2))
    assert (code, held["status"]) == (202, "review"), held
    assert held.get("national_id") is None

    admin = bearer(make_key("admin", name="adm"))
    queue = client.get("/v1/duplicate-cases", headers=admin)
    assert queue.status_code == 200 and [c["case_id"] for c in queue.json()] == [held["case_id"]]
    case = client.get(f"/v1/duplicate-cases/{held['case_id']}", headers=admin).json()
    best = case["candidates"][0]
    assert best["national_id"] == first["national_id"] and best["band"] == "review"
    assert set(best["finger_scores"]) == {"1", "2", "3", "4"}
    assert best["llr"] < 0 < best["demographic_llr"] and 0.5 < best["posterior"] < 1
    assert client.get("/v1/duplicate-cases", headers=station).status_code == 403
    assert client.get("/v1/duplicate-cases/999", headers=admin).status_code == 404


def test_two_packets_of_one_person_at_once_give_one_id(client, station, engine,
                                                       shared_data: Path) -> None:
    packets = [_packet(shared_data, "c1", "obama.jpg", "FVC2002_DB1_B", 1),
               _packet(shared_data, "c2", "obama2.jpg", "FVC2002_DB1_B", 2)]
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2)

    def send(p) -> None:
        barrier.wait()
        results.append(_post(client, station, p))

    threads = [threading.Thread(target=send, args=(p,)) for p in packets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(body["status"] for _, body in results)
    assert statuses == ["issued", "matched"], results
    assert len({body["national_id"] for _, body in results}) == 1
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 1
        assert s.scalar(select(func.count()).select_from(DuplicateCase)) == 0


def _gallery_after_restart(app, settings) -> Gallery:
    gallery = Gallery(settings.index_dir)
    with app.state.sessions() as s:
        gallery.load(s)
    return gallery


def test_reconcile_after_a_crash_and_a_corrupt_snapshot(client, station, app, settings,
                                                        shared_data: Path) -> None:
    code, body = _post(client, station, _packet(shared_data, "a1", "obama.jpg",
                                                "FVC2002_DB1_B", 1))
    assert code == 201
    gallery = app.state.gallery
    gallery.snapshot()
    real_faces, real_fingers = gallery.faces.ids().copy(), gallery.fingers.ids().copy()
    assert len(real_faces) == 1 and len(real_fingers) == 4

    # A crash between index and database: a vector with no row, and a row with no vector.
    gallery.faces.add(np.array([987654], np.int64), np.ones((1, 128), np.float32) * 0.05)
    gallery.fingers.remove(real_fingers[:1])
    gallery.snapshot()
    restarted = _gallery_after_restart(app, settings)
    assert restarted.rebuilt == []
    assert restarted.faces.ids().tolist() == real_faces.tolist()
    assert sorted(restarted.fingers.ids().tolist()) == sorted(real_fingers.tolist())

    # A truncated snapshot is detected and rebuilt from the database, never served.
    snap = settings.index_dir / FINGER_FILE
    snap.write_bytes(snap.read_bytes()[: len(snap.read_bytes()) // 2])
    (settings.index_dir / FACE_FILE).write_bytes(b"garbage")
    rebuilt = _gallery_after_restart(app, settings)
    assert sorted(rebuilt.rebuilt) == ["face", "fingers"]
    assert sorted(rebuilt.fingers.ids().tolist()) == sorted(real_fingers.tolist())
    assert rebuilt.ready

    # And the rebuilt gallery still finds the person.
    app.state.gallery = app.state.decider.gallery = rebuilt
    code, again = _post(client, station, _packet(shared_data, "a2", "obama2.jpg",
                                                 "FVC2002_DB1_B", 2))
    assert (code, again["national_id"]) == (200, body["national_id"])


def test_readyz_waits_for_the_gallery(client, app) -> None:
    import time

    deadline = time.monotonic() + 60  # the gallery loads in a background thread
    while not app.state.gallery.ready and time.monotonic() < deadline:
        time.sleep(0.05)
    ok = client.get("/readyz")
    assert ok.status_code == 200 and ok.json()["checks"]["indexes"] is True
    app.state.gallery.ready = False
    assert client.get("/readyz").status_code == 503
    assert json.loads(client.get("/healthz").text) == {"status": "ok"}
