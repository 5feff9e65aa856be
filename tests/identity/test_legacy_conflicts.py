"""A legacy number already held by another person (issue 16, item 8): the registry reports the
conflict with its holder instead of letting the first enrolment block the owner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from identity.platform.errors import Conflict
from identity.registry import persons
from identity.registry.merge import merge
from models.person import LegacyId
from tests.agencies.heirs.family import person
from tests.conftest import bearer


def test_conflicts_name_the_holder_and_follow_merges(session) -> None:
    owner, other, survivor = person(session), person(session), person(session)
    persons.link_legacy_ids(session, owner, {"civil_status": "CS-77", "ration": "R-1"})
    session.commit()

    claimed = {"civil_status": "CS-77", "nationality": "N-5"}
    found = persons.legacy_conflicts(session, claimed)
    assert found == [persons.LegacyConflict("civil_status", "CS-77", owner.id,
                                            owner.national_id)]
    assert persons.legacy_conflicts(session, claimed, person_id=owner.id) == []
    assert persons.legacy_conflicts(session, claimed, person_id=other.id) == found

    # Refused whole by default: the owner keeps the number, nothing else is linked either.
    with pytest.raises(Conflict) as err:
        persons.link_legacy_ids(session, other, claimed)
    assert err.value.code == "legacy_id_taken"
    session.rollback()
    # Or the free numbers are linked and the taken ones come back with their holder.
    skipped = persons.link_legacy_ids(session, other, claimed, on_taken="skip")
    session.commit()
    assert skipped == found
    held = {(r.register, r.number): r.person_id for r in session.scalars(select(LegacyId))}
    assert held[("civil_status", "CS-77")] == owner.id
    assert held[("nationality", "N-5")] == other.id

    merge(session, survivor=survivor, absorbed=owner, actor="admin:test")
    session.commit()
    moved = persons.legacy_conflicts(session, claimed, person_id=other.id)
    assert [(c.holder_id, c.holder_national_id) for c in moved] == \
        [(survivor.id, survivor.national_id)]
    assert persons.legacy_conflicts(session, {"civil_status": "CS-77"},
                                    person_id=survivor.id) == []


@pytest.mark.shared_data
def test_a_taken_legacy_number_opens_a_case_instead_of_409(client, make_key,
                                                             shared_data: Path) -> None:
    from bench.packets import DEMOGRAPHICS, face_path, finger_path, packet

    station = bearer(make_key("station", name="st-legacy"))
    # Someone else enrols first, claiming the owner's civil-status number.
    squatter = {**DEMOGRAPHICS, "surname": "الربيعي", "legacy_ids": {"civil_status": "CS-9"}}
    data, files = packet(shared_data, capture_id="squatter", demographics=squatter,
                         face=face_path(shared_data, "biden.jpg").read_bytes(),
                         fingers={p: finger_path(shared_data, p, 1, "FVC2002_DB3_B")
                                  .read_bytes() for p in range(1, 11)})
    taken = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert taken.status_code == 201 and taken.json()["status"] == "issued", taken.text
    # The owner comes to enrol with the number that is his.
    owner = {**DEMOGRAPHICS, "legacy_ids": {"civil_status": "CS-9"}}
    data, files = packet(shared_data, capture_id="owner", demographics=owner)
    resp = client.post("/v1/enrollments", data=data, files=files, headers=station)
    assert resp.status_code != 409, resp.text  # today: 409 legacy_id_taken blocks the owner
    assert resp.status_code == 202 and resp.json()["status"] == "review", resp.text
    assert resp.json()["case_id"]
    case_id = resp.json()["case_id"]
    admin = bearer(make_key("admin", name="adj-legacy"))
    case = client.get(f"/v1/duplicate-cases/{case_id}", headers=admin).json()
    squatter_nid = taken.json()["national_id"]
    shown = {c.get("national_id") for c in case["candidates"]}
    assert squatter_nid in shown, case  # the holder is a candidate, whatever the biometrics say
    # The adjudicator finds two people: the owner gets an ID; the number stays where it is,
    # recorded for the civil-status register to settle, and nothing answers 409.
    decided = client.post(f"/v1/duplicate-cases/{case_id}/decision", headers=admin,
                          json={"decision": "different", "reason_code": "different_biometrics"})
    assert decided.status_code == 200, decided.text
    owner_nid = decided.json()["national_id"]
    assert owner_nid and owner_nid != squatter_nid
    from identity.platform.db import session_factory
    from models.security import AuditRow

    with session_factory(client.app.state.engine)() as s:
        holder = s.scalars(select(LegacyId).where(LegacyId.number == "CS-9")).one()
        assert persons.resolve_person(s, holder.person_id).national_id == squatter_nid
        left = s.scalars(select(AuditRow).where(AuditRow.action == "legacy.left_with_holder"))
        assert [r.details["holder_national_id"] for r in left] == [squatter_nid]
