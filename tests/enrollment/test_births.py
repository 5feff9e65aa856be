"""Children: a birth registered with both parents' IDs, its duplicates found among the family,
twins told apart, and fingers added later to the same ID by a biometric update (SQLite and
PostgreSQL, real images)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.packets import DEMOGRAPHICS, face_path, finger_path, packet
from identity.biometrics import templates
from identity.platform.db import session_factory
from identity.registry import kinship, persons
from models.person import Person
from tests.conftest import bearer

MOTHER = dict(DEMOGRAPHICS, given_name="زينب", father_name="جاسم", grandfather_name="مهدي",
              surname="الساعدي", mother_name="فاطمة", maternal_grandfather_name="عباس",
              sex="F", birth_date="1990-04-12")
BORN = (date.today() - timedelta(days=40)).isoformat()
CHILD = dict(DEMOGRAPHICS, given_name="حسن", father_name="علي", grandfather_name="حسين",
             mother_name="زينب", maternal_grandfather_name="جاسم", birth_date=BORN)


@pytest.fixture
def station(make_key) -> dict[str, str]:
    return bearer(make_key("station", name="maternity-1"))


@pytest.fixture
def parents(client, station, shared_data: Path) -> tuple[str, str]:
    ids = []
    for cap, demo, face, db in (("father", DEMOGRAPHICS, "obama.jpg", "FVC2002_DB1_B"),
                                ("mother", MOTHER, "biden.jpg", "FVC2002_DB3_B")):
        data, files = packet(shared_data, capture_id=cap, demographics=demo,
                             face=face_path(shared_data, face).read_bytes(), db=db)
        resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["national_id"])
    return ids[1], ids[0]  # mother, father


def _birth(client, station, parents: tuple[str, str], cap: str, certificate: str,
           face: bytes | None = None, **child: str):
    mother, father = parents
    data = {"capture_id": cap, "demographics": json.dumps(dict(CHILD, **child)),
            "mother_national_id": mother, "father_national_id": father,
            "birth_certificate": certificate}
    files = [("face", ("f.jpg", face, "image/jpeg"))] if face else []
    resp = client.post("/v1/births", data=data, files=files or None, headers=station)
    assert resp.status_code < 500, resp.text
    return resp.status_code, resp.json()


def test_birth_twins_reregistration_and_biometric_update(client, station, parents, engine,
                                                         make_key, shared_data: Path) -> None:
    code, child = _birth(client, station, parents, "b1", "BC-2026-0001")
    assert (code, child["status"]) == (201, "issued"), child
    with session_factory(engine)() as s:
        person = persons.get_by_national_id(s, child["national_id"])
        mother, father = kinship.parents(s, person)
        assert mother is not None and father is not None
        assert (mother.national_id, father.national_id) == parents

    # The same certificate again (another capture, another clerk): the same child.
    code, again = _birth(client, station, parents, "b2", "BC-2026-0001")
    assert (code, again["status"], again["national_id"]) == (200, "matched",
                                                             child["national_id"])
    # A twin: same parents and day, its own name and certificate: a new ID.
    code, twin = _birth(client, station, parents, "b3", "BC-2026-0002", given_name="حسين")
    assert (code, twin["status"]) == (201, "issued"), twin
    # The first child again under another certificate: an adjudicator decides, no new ID yet.
    code, held = _birth(client, station, parents, "b4", "BC-2026-0777")
    assert (code, held["status"]) == (202, "review"), held
    admin = bearer(make_key("admin", name="adm"))
    case = client.get(f"/v1/duplicate-cases/{held['case_id']}", headers=admin).json()
    assert case["candidates"][0]["national_id"] == child["national_id"]

    # Fingers at five: added to the same ID, searched against everyone first.
    fingers = [(f"finger_{p}", (f"{p}.tif", finger_path(shared_data, p, 1,
                                                        "FVC2002_DB4_B").read_bytes(),
                                "image/tiff")) for p in range(1, 11)]
    resp = client.post(f"/v1/persons/{child['national_id']}/biometric-updates",
                       data={"capture_id": "u1"}, files=fingers, headers=station)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"enrollment_id": resp.json()["enrollment_id"], "status": "updated",
                           "national_id": child["national_id"]}
    # Someone else's fingers (the father's) sent as the twin's update: held, never added.
    fathers = [(f"finger_{p}", (f"{p}.tif", finger_path(shared_data, p, 2).read_bytes(),
                                "image/tiff")) for p in range(1, 11)]
    resp = client.post(f"/v1/persons/{twin['national_id']}/biometric-updates",
                       data={"capture_id": "u2"}, files=fathers, headers=station)
    assert resp.status_code == 202 and resp.json()["status"] == "review", resp.text
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 4  # 2 parents, 2 children
        kid = persons.get_by_national_id(s, child["national_id"])
        assert sorted(x.position for x in templates.samples_of(s, kid.id)
                      if x.modality == "finger") == list(range(1, 11))
        twin_id = persons.get_by_national_id(s, twin["national_id"]).id
        assert [x for x in templates.samples_of(s, twin_id) if x.modality == "finger"] == []


def test_birth_registration_refuses_what_it_cannot_be(client, station, parents,
                                                      shared_data: Path) -> None:
    code, err = _birth(client, station, parents, "old", "BC-1", birth_date="2015-01-01")
    assert code == 422 and err["error"]["code"] == "too_old_for_birth_registration"
    mother, father = parents
    code, err = _birth(client, station, (father, mother), "swap", "BC-2")
    assert code == 422 and err["error"]["code"] == "parent_sex_mismatch"
    code, err = _birth(client, station, (mother, "123456789012"), "nobody", "BC-3")
    assert code in (404, 422)
