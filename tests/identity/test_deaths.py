"""Death records below the API: provenance, idempotency, attachment, reversal, events, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from identity.access import journal
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.registry import deaths, national_id
from identity.registry.vital_schemas import SOURCE_TYPES, DeathReport, ReversalRequest
from models.person import Person
from models.security import AuditRow, Event
from models.vital import DeathRecord, DeathReversal
from tests.agencies.heirs.family import agency, count, person


def report(nid: str, doc: str = "D-1", **kw) -> DeathReport:
    body = {"national_id": nid, "source_type": "hospital_certificate", "document_number": doc,
            "date_of_death": "2024-05-10", "place": "مستشفى الكندي، بغداد", **kw}
    return DeathReport.model_validate(body)


@pytest.fixture
def subject(session) -> Person:
    p = person(session, born="1950-02-03")
    session.commit()
    return p


@pytest.mark.parametrize("source", SOURCE_TYPES)
def test_each_source_records_the_death_with_its_provenance(session, subject, source) -> None:
    health = agency(session, "health")
    status, view = deaths.record_death(
        session, report(subject.national_id, source_type=source, cause_code="i21.9"),
        principal=health)
    assert status == 201
    assert view["source_type"] == source and view["agency"] == "health"
    assert view["ack_id"].startswith("dr_") and view["status"] == "active"
    assert view["cause_code"] == "I21.9" and view["attached_to"] is None
    session.expire_all()
    assert session.get(Person, subject.id).life_status == "deceased"
    events = session.query(Event).filter(Event.type == "death.recorded").all()
    assert len(events) == 1
    assert events[0].national_id == subject.national_id
    assert events[0].payload["ack_id"] == view["ack_id"]
    assert events[0].payload["date_of_death"] == "2024-05-10"
    assert events[0].payload["source_type"] == source
    audit = session.query(AuditRow).filter(AuditRow.action == "death.record").all()
    assert [a.outcome for a in audit] == ["recorded"] and audit[0].person_id == subject.id
    assert journal.verify_chain(session) is None


def test_replay_is_idempotent_and_other_content_conflicts(session, subject) -> None:
    health = agency(session, "health")
    first = deaths.record_death(session, report(subject.national_id), principal=health)
    again = deaths.record_death(session, report(subject.national_id), principal=health)
    assert first[0] == 201 and again[0] == 200 and again[1]["ack_id"] == first[1]["ack_id"]
    with pytest.raises(Conflict) as err:
        deaths.record_death(session, report(subject.national_id, place="البصرة"),
                            principal=health)
    assert err.value.code == "document_number_conflict"
    assert count(session, DeathRecord) == 1
    assert count(session, Event, Event.type == "death.recorded") == 1
    # The same document number from another agency is another report (attached).
    other = deaths.record_death(session, report(subject.national_id),
                                principal=agency(session, "forensic"))
    assert other[0] == 201 and other[1]["attached_to"] == first[1]["ack_id"]


def test_second_source_is_attached_not_duplicated(session, subject) -> None:
    health, court = agency(session, "health"), agency(session, "court", ("deaths", "court"))
    _, first = deaths.record_death(session, report(subject.national_id), principal=health)
    status, second = deaths.record_death(
        session, report(subject.national_id, doc="J-77", source_type="court_proof_of_death",
                        date_of_death="2024-05-01", date_precision="month"), principal=court)
    assert status == 201 and second["attached_to"] == first["ack_id"]
    assert second["date_of_death"] == "2024-05-01" and second["date_conflict"] is False
    _, third = deaths.record_death(
        session, report(subject.national_id, doc="C-1", source_type="consular_report",
                        date_of_death="2023-01-01"), principal=agency(session, "consulate"))
    assert third["attached_to"] == first["ack_id"] and third["date_conflict"] is True
    assert count(session, Event, Event.type == "death.recorded") == 1
    assert [r.ack_id for r in deaths.death_records_of(session, subject)] == [
        first["ack_id"], second["ack_id"], third["ack_id"]]
    outcomes = [a.outcome for a in session.query(AuditRow).filter(
        AuditRow.action == "death.record").order_by(AuditRow.id)]
    assert outcomes == ["recorded", "attached", "attached"]


def test_unknown_id_is_404_and_nothing_is_stored(session, subject) -> None:
    health = agency(session, "health")
    audits = count(session, AuditRow)
    unknown = national_id.draw()
    with pytest.raises(NotFound):
        deaths.record_death(session, report(unknown), principal=health)
    session.rollback()
    with pytest.raises(Invalid) as err:
        deaths.record_death(session, report("123"), principal=health)
    assert err.value.code == "invalid_national_id"
    session.rollback()
    assert count(session, DeathRecord) == 0 and count(session, Event,
                                                      Event.type.like("death.%")) == 0
    assert count(session, AuditRow) == audits


@pytest.mark.parametrize(("day", "precision", "code"), [
    ("1950-02-02", "day", "death_before_birth"),
    ("1949-06-01", "year", "death_before_birth"),
    ((date.today() + timedelta(days=1)).isoformat(), "day", "death_in_future"),
    ((date.today().replace(day=1) + timedelta(days=40)).isoformat(), "month", "death_in_future"),
])
def test_impossible_dates_are_422_and_store_nothing(session, subject, day, precision,
                                                    code) -> None:
    with pytest.raises(Invalid) as err:
        deaths.record_death(session, report(subject.national_id, date_of_death=day,
                                            date_precision=precision),
                            principal=agency(session, "health"))
    assert err.value.code == code and err.value.status_code == 422
    session.rollback()
    session.expire_all()
    assert count(session, DeathRecord) == 0
    assert session.get(Person, subject.id).life_status == "alive"


def test_imprecise_dates_that_may_fall_after_birth_are_accepted(session, subject) -> None:
    # Born 1950-02-03; "February 1950" and "1950" can both be after the birth.
    status, view = deaths.record_death(
        session, report(subject.national_id, date_of_death="1950-02-01",
                        date_precision="month"), principal=agency(session, "health"))
    assert status == 201 and view["date_of_death"] == "1950-02-01"


def test_reversal_restores_the_person_and_is_an_event(session, subject) -> None:
    health, court = agency(session, "health"), agency(session, "court", ("deaths", "court"))
    _, first = deaths.record_death(session, report(subject.national_id), principal=health)
    _, second = deaths.record_death(session, report(subject.national_id, doc="F-9",
                                                    source_type="forensic_report"),
                                    principal=court)
    judgment = ReversalRequest(judgment_reference="PSC-2024/118", court="محكمة الكرخ")
    status, view = deaths.reverse_death(session, second["ack_id"], judgment, principal=court)
    assert status == 201 and view["status"] == "reversed"
    assert view["reversal"]["judgment_reference"] == "PSC-2024/118"
    session.expire_all()
    assert session.get(Person, subject.id).life_status == "alive"
    assert {r.status for r in session.query(DeathRecord)} == {"reversed"}
    assert deaths.active_death(session, subject) is None
    reversed_events = session.query(Event).filter(Event.type == "death.reversed").all()
    assert len(reversed_events) == 1
    assert reversed_events[0].payload["ack_id"] == first["ack_id"]
    assert count(session, AuditRow, AuditRow.action == "death.reverse") == 1
    # The same judgment again is a replay; another judgment conflicts.
    assert deaths.reverse_death(session, first["ack_id"], judgment, principal=court)[0] == 200
    with pytest.raises(Conflict):
        deaths.reverse_death(session, first["ack_id"],
                             ReversalRequest(judgment_reference="other"), principal=court)
    assert count(session, DeathReversal) == 1
    # The records stay; a later, real death is a new primary record and a new event.
    _, later = deaths.record_death(session, report(subject.national_id, doc="D-2",
                                                   date_of_death="2025-01-02"),
                                   principal=health)
    assert later["attached_to"] is None and later["life_status"] == "deceased"
    assert count(session, Event, Event.type == "death.recorded") == 2
    assert count(session, DeathRecord) == 3
    assert journal.verify_chain(session) is None


def test_reversal_of_unknown_record_is_404(session) -> None:
    with pytest.raises(NotFound):
        deaths.reverse_death(session, "dr_0000000000000000",
                             ReversalRequest(judgment_reference="x"),
                             principal=agency(session, "court"))


def test_record_is_read_only_by_its_reporting_agency(session, subject) -> None:
    _, view = deaths.record_death(session, report(subject.national_id, cause_code="X70"),
                                  principal=agency(session, "health"))
    mine = deaths.get_for_agency(session, view["ack_id"], principal=agency(session, "health"))
    assert mine["cause_code"] == "X70"
    with pytest.raises(NotFound):
        deaths.get_for_agency(session, view["ack_id"], principal=agency(session, "ration"))


def test_death_through_an_alias_after_a_merge_lands_on_the_survivor(session) -> None:
    survivor, absorbed = person(session), person(session)
    session.flush()
    absorbed.status, absorbed.merged_into_id = "merged", survivor.id
    from models.person import NationalId

    session.get(NationalId, absorbed.national_id).person_id = survivor.id
    session.commit()
    _, view = deaths.record_death(session, report(absorbed.national_id),
                                  principal=agency(session, "health"))
    assert view["national_id"] == survivor.national_id
    session.expire_all()
    assert session.get(Person, survivor.id).life_status == "deceased"
