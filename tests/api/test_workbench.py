"""Adjudication decisions through the JSON API, with real images: same person (encounter and
merge), different persons, fraud, the two-admin rule, unmerge, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from identity.platform.db import session_factory
from models.adjudication import CaseDecision, MergeRecord
from models.dedup import DistinctPair, DuplicateCase
from models.enrollment import Enrollment, Template
from models.person import LegacyId, Person
from models.security import AuditRow
from models.vital import Birth
from tests.api import workbench_helpers as wh
from tests.conftest import bearer

A_FINGERS = (1, 2, 3, 4)


@pytest.fixture
def station(make_key) -> dict[str, str]:
    return bearer(make_key("station", name="station-1"))


@pytest.fixture
def admin(make_key) -> dict[str, str]:
    return bearer(make_key("admin", name="adjudicator-1"))


@pytest.fixture
def person_a(client, station, shared_data: Path) -> str:
    """An issued person: obama.jpg + FVC2002_DB1_B fingers 1-4, impression 1."""
    wh.wait_ready(client.app.state.gallery)
    body = wh.enroll(client, station, shared_data, "a1", "obama.jpg", "FVC2002_DB1_B", 1,
                     A_FINGERS)
    assert body["status"] == "issued", body
    return str(body["national_id"])


def _held(client, make_key, shared: Path, cap: str = "h1", **demo: str) -> int:
    """Weaker evidence of the same human (see ``wh.review_packet``): dedup holds it."""
    station = bearer(make_key("station", name="station-2"))
    return wh.review(client, station, shared, cap, **demo)


def _decide(client, headers, case_id: int, decision: str, reason: str, **extra):
    return client.post(f"/v1/duplicate-cases/{case_id}/decision", headers=headers,
                       json={"decision": decision, "reason_code": reason, **extra})


def test_same_person_makes_the_held_packet_an_encounter(client, engine, admin, person_a,
                                                        make_key, shared_data: Path) -> None:
    gallery = client.app.state.gallery
    before = len(gallery.fingers) + len(gallery.faces)
    case_id = _held(client, make_key, shared_data)
    # A held packet is in the gallery at once (face + four fingers): a candidate for the
    # packets that follow it; deciding it changes its owner, not the indexes.
    assert len(gallery.fingers) + len(gallery.faces) == before + 5
    resp = _decide(client, admin, case_id, "same", "biometric_match", note="thumb and face")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["outcome"], body["national_id"]) == ("encounter", person_a)
    assert len(gallery.fingers) + len(gallery.faces) == before + 5
    with session_factory(engine)() as s:
        case = s.get(DuplicateCase, case_id)
        assert case is not None and (case.status, case.decision) == ("decided", "same")
        enrollment = s.get(Enrollment, case.enrollment_id)
        assert enrollment is not None and enrollment.status == "matched"
        owners = set(s.scalars(select(Template.person_id).where(
            Template.enrollment_id == enrollment.id)))
        assert owners == {enrollment.person_id}
        row = s.scalars(select(AuditRow).where(AuditRow.action == "case.decide")).one()
        assert row.actor.startswith("admin:adjudicator-1#") and row.outcome == "same"
        assert row.details["reason_code"] == "biometric_match"
        assert row.details["note"] == "thumb and face"
        assert s.scalar(select(func.count()).select_from(Person)) == 1
    again = _decide(client, admin, case_id, "different", "different_biometrics")
    assert again.status_code == 409 and again.json()["error"]["code"] == "case_decided"


def test_different_persons_issue_an_id_and_remember_the_pair(client, engine, admin, person_a,
                                                             make_key, shared_data: Path) -> None:
    case_id = _held(client, make_key, shared_data, given_name="حسن")
    resp = _decide(client, admin, case_id, "different", "twins_or_relatives")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    new_id = body["national_id"]
    assert new_id != person_a and body["distinct_from"] == [person_a]
    got = client.get(f"/v1/persons/{new_id}", headers=admin).json()
    assert got["demographics"]["given_name"] == "حسن" and len(got["samples"]) == 5
    assert [e["_nid"] for e in wh.events(engine, "id.issued")] == [person_a, new_id]
    with session_factory(engine)() as s:
        pair = s.scalars(select(DistinctPair)).one()
        ids = {s.scalars(select(Person.id).where(Person.national_id == n)).one()
               for n in (person_a, new_id)}
        assert {pair.person_low, pair.person_high} == ids
    # The templates are in the gallery now: the next search sees the new person.
    assert client.app.state.gallery.ready


def test_two_held_packets_of_one_person_never_get_two_ids(client, engine, admin, person_a,
                                                         make_key, shared_data: Path) -> None:
    """The second packet of one person arrives while the first is held: the held packet is its
    candidate from the start, and becomes the person the first case's decision makes it."""
    first = _held(client, make_key, shared_data, "h1")
    second = _held(client, make_key, shared_data, "h2")
    before = client.get(f"/v1/duplicate-cases/{second}", headers=admin).json()
    held = [c for c in before["candidates"] if c["national_id"] is None]
    assert [c["held_enrollment_id"] for c in held] == [
        client.get(f"/v1/duplicate-cases/{first}", headers=admin).json()["enrollment_id"]]
    # The same capture sent twice: identical, yet a held packet is never matched to.
    assert held[0]["identical"] and held[0]["band"] == "review"
    early = _decide(client, admin, second, "same", "biometric_match")
    if held[0]["rank"] == 1:  # "same" with a packet still held waits for that packet's case
        assert early.status_code == 409 and early.json()["error"]["code"] == "candidate_held"
    resp = _decide(client, admin, first, "different", "different_biometrics")
    assert resp.status_code == 200, resp.text
    new_id = resp.json()["national_id"]
    case = client.get(f"/v1/duplicate-cases/{second}", headers=admin).json()
    assert case["status"] == "open"
    by_id = {c["national_id"]: c for c in case["candidates"]}
    assert set(by_id) == {person_a, new_id} and by_id[new_id]["identical"]
    ok = _decide(client, admin, second, "same", "biometric_match", candidate_national_id=new_id)
    assert ok.status_code == 200, ok.text
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 2


def test_a_person_issued_since_the_case_opened_changes_it(client, engine, admin, person_a,
                                                          make_key, shared_data: Path) -> None:
    """A person who also matches the held packet is issued after the case opened (a legacy
    register loaded without dedup): "different" is refused until the case shows them."""
    case_id = _held(client, make_key, shared_data, "h1")
    p = wh.make_packet(shared_data, "legacy-1", "obama2.jpg", "FVC2002_DB1_B", 2, (1, 2, 3, 4))
    legacy_id, _ = wh.issue_direct(engine, client.app.state.gallery, p)
    refused = _decide(client, admin, case_id, "different", "different_biometrics")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "case_changed"
    case = client.get(f"/v1/duplicate-cases/{case_id}", headers=admin).json()
    assert {c["national_id"] for c in case["candidates"]} == {person_a, legacy_id}
    ok = _decide(client, admin, case_id, "different", "different_biometrics")
    assert ok.status_code == 200, ok.text
    with session_factory(engine)() as s:
        assert [a.action for a in s.scalars(select(AuditRow).where(
            AuditRow.action == "case.candidates_added"))] == ["case.candidates_added"]


def test_a_packet_matching_two_persons_raises_their_pair_once(client, engine, admin, person_a,
                                                               make_key, shared_data: Path
                                                               ) -> None:
    """Person B is person A again, issued without dedup (a legacy register). A packet that
    matches both is decided to be A: an A-B case follows; judged distinct, it never returns."""
    gallery = client.app.state.gallery
    person_b, _ = wh.issue_direct(engine, gallery, wh.make_packet(
        shared_data, "legacy-1", "obama2.jpg", "FVC2002_DB1_B", 2, A_FINGERS))
    station = bearer(make_key("station", name="station-3"))

    def held_against_both(cap: str, imp: int) -> int:
        body = wh.enroll(client, station, shared_data, cap, None, "FVC2002_DB1_B", imp,
                         A_FINGERS)
        assert body["status"] == "review", body
        case = client.get(f"/v1/duplicate-cases/{body['case_id']}", headers=admin).json()
        assert {c["national_id"]: c["band"] for c in case["candidates"]} == {
            person_a: "match", person_b: "match"}
        return int(body["case_id"])

    resp = _decide(client, admin, held_against_both("p1", 3), "same", "biometric_match",
                   candidate_national_id=person_a)
    assert resp.status_code == 200, resp.text
    [pair] = resp.json()["pair_cases"]
    case = client.get(f"/v1/duplicate-cases/{pair}", headers=admin).json()
    assert case["status"] == "open"
    assert [c["national_id"] for c in case["candidates"]] == [person_b]
    judged = _decide(client, admin, pair, "different", "twins_or_relatives")
    assert judged.status_code == 200, judged.text
    assert judged.json()["national_id"] == person_a
    assert judged.json()["distinct_from"] == [person_b]

    again = _decide(client, admin, held_against_both("p2", 4), "same", "biometric_match",
                    candidate_national_id=person_a)
    assert again.status_code == 200 and again.json()["pair_cases"] == []
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 2
        assert s.scalar(select(func.count()).select_from(DistinctPair)) == 1


def test_fraud_flags_and_issues_no_id(client, engine, admin, person_a, make_key,
                                     shared_data: Path) -> None:
    case_id = _held(client, make_key, shared_data, birth_date="1990-01-01")
    resp = _decide(client, admin, case_id, "fraud", "multiple_identities", note="same thumb")
    assert resp.status_code == 200, resp.text
    assert resp.json()["flagged"] == [person_a]
    assert client.get(f"/v1/persons/{person_a}", headers=admin).json()["fraud_flag"] is True
    with session_factory(engine)() as s:
        case = s.get(DuplicateCase, case_id)
        assert case is not None
        enrollment = s.get(Enrollment, case.enrollment_id)
        assert enrollment is not None and (enrollment.status, enrollment.person_id) == (
            "fraud", None)
        assert s.scalar(select(func.count()).select_from(Person)) == 1
        assert set(s.scalars(select(Template.person_id).where(
            Template.enrollment_id == enrollment.id))) == {None}


def _second_id(client, engine, shared: Path, cap: str = "legacy-1") -> tuple[str, int]:
    """The same human issued a second ID (obama2 + impression 2), and the case between them."""
    p = wh.make_packet(shared, cap, "obama2.jpg", "FVC2002_DB1_B", 2, A_FINGERS,
                       surname="الجبوريي", legacy_ids={"civil_status": "CS-77"})
    nid_b, enrollment_b = wh.issue_direct(engine, client.app.state.gallery, p)
    return nid_b, enrollment_b


def test_merge_keeps_one_survivor_and_either_id_finds_it_then_unmerge(
        client, engine, admin, person_a, shared_data: Path) -> None:
    nid_b, enrollment_b = _second_id(client, engine, shared_data)
    case_id = wh.pair_case(engine, enrollment_b, person_a)
    before_b = client.get(f"/v1/persons/{nid_b}", headers=admin).json()
    resp = _decide(client, admin, case_id, "same", "same_documents")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["outcome"], body["national_id"], body["alias"]) == ("merged", person_a, nid_b)
    for nid in (person_a, nid_b):
        got = client.get(f"/v1/persons/{nid}", headers=admin).json()
        assert got["national_id"] == person_a and got["aliases"] == [nid_b]
        assert got["legacy_ids"] == {"civil_status": "CS-77"}
        assert len(got["samples"]) == 10  # both enrollments' face + 4 fingers
    merged = wh.events(engine, "person.merged")
    assert [(e["survivor_national_id"], e["absorbed_national_id"]) for e in merged] == [
        (person_a, nid_b)]

    resp = client.post(f"/v1/persons/{nid_b}/unmerge", headers=admin,
                       json={"reason_code": "merge_error", "note": "twins after all"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["restored_ids"] == [nid_b]
    after_b = client.get(f"/v1/persons/{nid_b}", headers=admin).json()
    assert after_b == before_b  # both IDs and their records exactly as before
    after_a = client.get(f"/v1/persons/{person_a}", headers=admin).json()
    assert after_a["aliases"] == [] and after_a["legacy_ids"] == {}
    assert len(after_a["samples"]) == 5
    assert [e["restored_national_id"] for e in wh.events(engine, "person.unmerged")] == [nid_b]
    again = client.post(f"/v1/persons/{nid_b}/unmerge", headers=admin,
                        json={"reason_code": "merge_error"})
    assert again.status_code == 404 and again.json()["error"]["code"] == "merge_not_found"
    with session_factory(engine)() as s:
        record = s.scalars(select(MergeRecord)).one()
        assert record.status == "unmerged" and record.unmerged_by.startswith("admin:")
        assert {m["table"] for m in record.moved} >= {"enrollments", "templates", "legacy_ids"}


def test_merges_need_two_different_admins_when_configured(engine, settings, make_key, station,
                                                          shared_data: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    settings.merge_needs_two_admins = True
    first = bearer(make_key("admin", name="adjudicator-1"))
    second = bearer(make_key("admin", name="adjudicator-2"))
    with TestClient(create_app(settings, engine)) as client:
        wh.wait_ready(client.app.state.gallery)
        nid_a = wh.enroll(client, station, shared_data, "a1", "obama.jpg", "FVC2002_DB1_B", 1,
                          A_FINGERS)["national_id"]
        nid_b, enrollment_b = _second_id(client, engine, shared_data)
        case_id = wh.pair_case(engine, enrollment_b, nid_a)

        proposed = _decide(client, first, case_id, "same", "biometric_match")
        assert proposed.status_code == 202, proposed.text
        assert proposed.json()["status"] == "awaiting_second_admin"
        assert client.get(f"/v1/persons/{nid_b}", headers=first).json()["national_id"] == nid_b
        same_admin = _decide(client, first, case_id, "same", "biometric_match")
        assert same_admin.status_code == 409
        assert same_admin.json()["error"]["code"] == "second_admin_required"

        confirmed = _decide(client, second, case_id, "same", "biometric_match")
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["outcome"] == "merged"
        assert client.get(f"/v1/persons/{nid_b}", headers=first).json()["national_id"] == nid_a
    with session_factory(engine)() as s:
        row = s.scalars(select(CaseDecision).where(CaseDecision.status == "applied")).one()
        assert row.proposed_by.startswith("admin:adjudicator-1#")
        assert row.confirmed_by is not None and row.confirmed_by.startswith("admin:adjudicator-2#")
        record = s.scalars(select(MergeRecord)).one()
        assert record.confirmed_by == row.confirmed_by


def test_a_merge_that_would_break_a_one_per_person_rule_is_refused_whole(
        client, engine, admin, person_a, shared_data: Path) -> None:
    nid_b, enrollment_b = _second_id(client, engine, shared_data)
    case_id = wh.pair_case(engine, enrollment_b, person_a)
    with session_factory(engine)() as s:
        for nid in (person_a, nid_b):
            pid = s.scalars(select(Person.id).where(Person.national_id == nid)).one()
            s.add(Birth(child_id=pid, source="civil_registry", actor="test"))
        s.commit()
    resp = _decide(client, admin, case_id, "same", "biometric_match")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "merge_conflict"
    assert resp.json()["error"]["details"] == {"table": "births"}
    got = client.get(f"/v1/persons/{nid_b}", headers=admin).json()
    assert got["national_id"] == nid_b and got["legacy_ids"] == {"civil_status": "CS-77"}
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(MergeRecord)) == 0
        assert s.scalars(select(LegacyId.person_id)).one() != s.scalars(
            select(Person.id).where(Person.national_id == person_a)).one()
        case = s.get(DuplicateCase, case_id)
        assert case is not None and case.status == "open"


def test_bad_decisions_get_clear_4xx(client, engine, admin, person_a, make_key,
                                     shared_data: Path) -> None:
    case_id = _held(client, make_key, shared_data)
    cases = [
        ({"decision": "same", "reason_code": "twins_or_relatives"}, 422, "invalid_reason"),
        ({"decision": "fraud", "reason_code": "other"}, 422, "note_required"),
        ({"decision": "maybe", "reason_code": "other"}, 422, "validation_error"),
        ({"decision": "same", "reason_code": "biometric_match",
          "candidate_national_id": "123456789012"}, 422, "invalid_national_id"),
    ]
    for body, code, err in cases:
        resp = client.post(f"/v1/duplicate-cases/{case_id}/decision", headers=admin, json=body)
        assert (resp.status_code, resp.json()["error"]["code"]) == (code, err), (body, resp.text)
    missing = _decide(client, admin, 999_999, "same", "biometric_match")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "case_not_found"
    not_merged = client.post(f"/v1/persons/{person_a}/unmerge", headers=admin,
                             json={"reason_code": "merge_error"})
    assert not_merged.status_code == 404
    assert not_merged.json()["error"]["code"] == "merge_not_found"
    with session_factory(engine)() as s:
        case = s.get(DuplicateCase, case_id)
        assert case is not None and case.status == "open"
