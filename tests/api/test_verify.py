"""1:1 verify with real images: genuine and impostor probes, pseudonyms, audit, merged aliases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from identity.platform.db import session_factory
from models.person import Person
from models.security import AuditRow
from tests.api.verify_helpers import RESPONSE_FIELDS, enroll, verify

pytestmark = pytest.mark.shared_data


@pytest.fixture
def station(make_key) -> str:
    return make_key("station", name="station-v")


@pytest.fixture
def agency(make_key) -> str:
    return make_key("agency", name="court-1", scopes=["verify"])


def test_genuine_probe_matches_and_impostor_does_not(client, station, agency, engine,
                                                     shared_data: Path) -> None:
    nid = enroll(client, station, shared_data, capture_id="g-1")

    genuine = verify(client, agency, nid, shared_data, face="obama2.jpg", db="FVC2002_DB1_B")
    assert genuine.status_code == 200, genuine.text
    body = genuine.json()
    assert set(body) == RESPONSE_FIELDS
    assert body["match"] is True and body["decision_band"] == "match"
    assert body["modalities_used"] == ["face", "finger_1", "finger_2", "finger_3"]
    assert body["life_status"] == "alive"

    impostor = verify(client, agency, nid, shared_data, face="biden.jpg", db="FVC2002_DB2_B")
    assert impostor.status_code == 200, impostor.text
    assert impostor.json()["match"] is False
    assert impostor.json()["decision_band"] == "no_match"

    fingers_only = verify(client, agency, nid, shared_data, db="FVC2002_DB1_B")
    assert fingers_only.json()["match"] is True, fingers_only.text
    face_only = verify(client, agency, nid, shared_data, face="obama3.jpg")
    assert face_only.json()["modalities_used"] == ["face"]
    assert face_only.json()["decision_band"] in ("match", "review")

    refs = {r.json()["subject_ref"] for r in (genuine, impostor, fingers_only, face_only)}
    assert len(refs) == 1  # stable for one agency
    with session_factory(engine)() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "verify")
                         .order_by(AuditRow.id)).all()
    assert [r.outcome for r in rows][:2] == ["match", "no_match"]
    assert all(r.agency == "court-1" and r.subject_ref in refs and r.purpose == "test"
               for r in rows)
    assert rows[0].details["transaction_id"] == body["transaction_id"]


def test_subject_ref_differs_between_agencies(client, station, agency, make_key,
                                              shared_data: Path) -> None:
    nid = enroll(client, station, shared_data, capture_id="p-1", fingers=(1, 2, 3, 4))
    other = make_key("agency", name="ration-1", scopes=["verify"])
    a = verify(client, agency, nid, shared_data, face="obama2.jpg")
    b = verify(client, other, nid, shared_data, face="obama2.jpg")
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    assert a.json()["subject_ref"] != b.json()["subject_ref"]
    assert nid not in a.json()["subject_ref"]


def test_merged_id_verifies_through_its_alias(client, station, agency, engine,
                                              shared_data: Path) -> None:
    survivor = enroll(client, station, shared_data, capture_id="m-1", fingers=(1, 2, 3, 4))
    merged = enroll(client, station, shared_data, capture_id="m-2", face="biden.jpg",
                    db="FVC2002_DB3_B", fingers=(1, 2, 3, 4), surname="الربيعي")
    from identity.registry.merge import merge

    with session_factory(engine)() as s:
        keep = s.scalars(select(Person).where(Person.national_id == survivor)).one()
        gone = s.scalars(select(Person).where(Person.national_id == merged)).one()
        merge(s, survivor=keep, absorbed=gone, actor="admin:test")
        s.commit()

    through_alias = verify(client, agency, merged, shared_data, face="obama2.jpg",
                           db="FVC2002_DB1_B")
    assert through_alias.status_code == 200, through_alias.text
    assert through_alias.json()["match"] is True
    direct = verify(client, agency, survivor, shared_data, face="obama2.jpg")
    assert through_alias.json()["subject_ref"] == direct.json()["subject_ref"]
    # The merged record's own samples are the survivor's now.
    merged_fingers = verify(client, agency, survivor, shared_data, db="FVC2002_DB3_B")
    assert merged_fingers.json()["match"] is True, merged_fingers.text


def test_unknown_and_invalid_ids(client, agency, shared_data: Path) -> None:
    from identity.registry import national_id

    unknown = verify(client, agency, national_id.draw(), shared_data, face="obama2.jpg")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "person_not_found"
    bad = verify(client, agency, "123456789012", shared_data, face="obama2.jpg")
    assert bad.status_code == 422


def test_probe_without_a_face_is_a_422_not_a_failure(client, station, agency,
                                                      shared_data: Path) -> None:
    nid = enroll(client, station, shared_data, capture_id="q-1", fingers=(1, 2, 3, 4))
    files = [("face", ("f.png", (shared_data / "faces" / "ageitgey_face_recognition" / "tests"
                                 / "test_images" / "obama_partial_face2.jpg").read_bytes(),
                       "image/jpeg"))]
    resp = client.post("/v1/verify", data={"national_id": nid}, files=files,
                       headers={"Authorization": f"Bearer {agency}"})
    assert resp.status_code in (200, 422), resp.text
    nothing = client.post("/v1/verify", data={"national_id": nid},
                          headers={"Authorization": f"Bearer {agency}"})
    assert nothing.status_code == 422 and nothing.json()["error"]["code"] == "empty_probe"


def test_repeated_failures_lock_the_id_for_that_agency(engine, make_key, tmp_path: Path,
                                                       shared_data: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from identity.platform.settings import Settings
    from models.agency_access import VerifyLock
    from models.base import utcnow

    settings = Settings(environment="test", data_dir=tmp_path / "v", verify_lock_failures=2,
                        verify_lock_seconds=600)
    with TestClient(create_app(settings, engine)) as client:
        station = make_key("station", name="st-lock")
        nid = enroll(client, station, shared_data, capture_id="l-1", fingers=(1, 2, 3, 4))
        court = make_key("agency", name="court-lock", scopes=["verify"])
        other = make_key("agency", name="other-lock", scopes=["verify"])
        for _ in range(2):
            resp = verify(client, court, nid, shared_data, face="biden.jpg")
            assert resp.status_code == 200 and resp.json()["match"] is False, resp.text
        locked = verify(client, court, nid, shared_data, face="obama2.jpg")
        assert locked.status_code == 429, locked.text
        assert locked.json()["error"]["code"] == "subject_locked"
        assert verify(client, other, nid, shared_data, face="obama2.jpg").status_code == 200
        with session_factory(engine)() as s:
            outcomes = [r.outcome for r in s.scalars(
                select(AuditRow).where(AuditRow.action == "verify").order_by(AuditRow.id))]
            assert outcomes[:3] == ["no_match", "no_match", "subject_locked"]
            for row in s.scalars(select(VerifyLock)):
                row.locked_until = utcnow() - timedelta(seconds=1)  # the lock has run out
            s.commit()
        assert verify(client, court, nid, shared_data, face="obama2.jpg").status_code == 200
