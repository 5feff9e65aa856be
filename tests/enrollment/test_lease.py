"""One process decides identity per database (issue 16, item 6): a second server on the same
database refuses to decide and says which process holds the lease; when the first stops, the
second takes over (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from bench.packets import OTHER_DEMOGRAPHICS, face_path, packet
from identity.access import lease
from identity.platform.db import session_factory
from identity.platform.settings import Settings
from tests.conftest import bearer


def _settings(tmp_path: Path, name: str) -> Settings:
    return Settings(environment="test", data_dir=tmp_path / name)


def _stranger(shared: Path):
    return packet(shared, capture_id="two", db="FVC2002_DB2_B", demographics=OTHER_DEMOGRAPHICS,
                  face=face_path(shared, "biden.jpg").read_bytes())


def test_a_second_server_refuses_to_decide_until_the_first_stops(engine, make_key, tmp_path,
                                                                 shared_data: Path) -> None:
    station = bearer(make_key("station", name="st-lease"))
    first = create_app(_settings(tmp_path, "a"), engine)
    second = create_app(_settings(tmp_path, "b"), engine)
    with TestClient(first) as one:
        data, files = packet(shared_data, capture_id="one")
        assert one.post("/v1/enrollments", data=data, files=files,
                        headers=station).status_code == 201
        with TestClient(second) as two:
            data, files = _stranger(shared_data)
            refused = two.post("/v1/enrollments", data=data, files=files, headers=station)
            assert refused.status_code == 503, refused.text
            error = refused.json()["error"]
            assert error["code"] == "not_the_decider"
            assert error["details"]["holder"] == first.state.decider.lease.name
            # Reads still work on the second server.
            assert two.get("/healthz").status_code == 200
    # The first server stopped and gave the lease back: the second decides now.
    with TestClient(second) as two:
        data, files = _stranger(shared_data)
        resp = two.post("/v1/enrollments", data=data, files=files, headers=station)
        assert resp.status_code == 201, resp.text


def test_an_expired_lease_is_taken_over_and_a_live_one_is_not(engine) -> None:
    a = lease.Holder(seconds=30, name="elsewhere:1:aaaa")
    b = lease.Holder(seconds=30, name="elsewhere:2:bbbb")
    sessions = session_factory(engine)
    with sessions() as s:
        assert a.try_acquire(s)
    with sessions() as s:
        assert not b.try_acquire(s)
    a._stop.set()  # the holder dies without giving the lease back
    with sessions() as s:
        from models.lease import DeciderLease

        row = s.get(DeciderLease, lease.NAME)
        assert row is not None
        row.expires_at = row.renewed_at  # ...and its last renewal has run out
        s.commit()
    with sessions() as s:
        assert b.try_acquire(s)
        row = s.get(DeciderLease, lease.NAME)
        assert row is not None and row.holder == b.name
    b._stop.set()
