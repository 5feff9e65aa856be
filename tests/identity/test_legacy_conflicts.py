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
@pytest.mark.xfail(strict=True, reason="the enrollment decision opens the case from "
                   "persons.legacy_conflicts: wired by the lead (issue 16, item 8)")
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
