"""Death records: reported by the issuing agencies, kept with their provenance, reversed (never
deleted) by a court judgment.

Events on the outbox, in the same transaction as the change (``identity.access.journal.emit``):

- ``death.recorded`` when a person becomes deceased, payload ``{"national_id", "ack_id",
  "date_of_death", "date_precision", "source_type", "agency", "recorded_at"}``. A further report
  of an already recorded death is attached to the first and emits nothing.
- ``death.reversed`` when a court judgment restores the person, payload ``{"national_id",
  "ack_id", "judgment_reference", "reversed_at"}`` (``ack_id`` of the primary record).

Who may reverse: the agency that recorded the death (its primary record) or a **court**, i.e. an
agency created with the ``court`` scope whose key carries ``court`` besides ``deaths``; always on
a judgment reference. Every other agency is refused as if the record did not exist (404, the
answer its GET gets too) or, when it reported an attached record of that death, with 403
``reversal_not_allowed``; each refused attempt is audited and changes nothing. The ``ack_id``
published in ``death.recorded`` therefore grants nothing by itself.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import secrets
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic reads it on 3.11 (the response model)

from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from identity.registry import persons
from identity.registry.vital_schemas import DeathReport, ReversalRequest
from models.base import utcnow
from models.person import Person
from models.vital import DeathRecord, DeathReversal


class DeathStatus(StrEnum):
    """``death_records.status``: a report in force, or one a court judgment reversed."""

    ACTIVE = "active"
    REVERSED = "reversed"


class ReversalView(TypedDict):
    judgment_reference: str
    court: str | None
    judgment_date: str | None
    reversed_at: str


class DeathRecordView(TypedDict):
    """A death record as ``/v1/death-records`` answers it (its response model) and the heirs
    report lists it."""

    ack_id: str
    national_id: str
    life_status: str
    source_type: str
    document_number: str
    date_of_death: str
    date_precision: str
    place: str
    cause_code: str | None  # only for the agency that reported it, else None
    agency: str
    status: str  # DeathStatus
    attached_to: str | None  # ack id of the first report when this one was attached to it
    date_conflict: bool  # an attached report whose date cannot be the first report's date
    recorded_at: str
    reversal: ReversalView | None


def period(day: date, precision: str) -> tuple[date, date]:
    """The first and last day a date of the given precision (day, month, year) can mean."""
    if precision == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return date(day.year, day.month, 1), date(day.year, day.month, last)
    return day, day


def death_period(record: DeathRecord) -> tuple[date, date]:
    return period(record.date_of_death, record.date_precision)


def active_death(session: Session, person: Person) -> DeathRecord | None:
    """The primary, not reversed, death record of ``person`` (None while alive)."""
    return session.scalars(
        select(DeathRecord).where(DeathRecord.person_id == person.id,
                                  DeathRecord.attached_to_id.is_(None),
                                  DeathRecord.status == DeathStatus.ACTIVE)
        .order_by(DeathRecord.id.desc())
    ).first()


def death_records_of(session: Session, person: Person) -> list[DeathRecord]:
    """The active death: its primary record first, then the reports attached to it."""
    primary = active_death(session, person)
    if primary is None:
        return []
    attached = session.scalars(
        select(DeathRecord).where(DeathRecord.attached_to_id == primary.id)
        .order_by(DeathRecord.id)
    ).all()
    return [primary, *attached]


def _group(session: Session, primary: DeathRecord) -> list[DeathRecord]:
    attached = session.scalars(
        select(DeathRecord).where(DeathRecord.attached_to_id == primary.id)
    ).all()
    return [primary, *attached]


def record_view(session: Session, record: DeathRecord, *, with_cause: bool) -> DeathRecordView:
    """The record as the API shows it; the cause of death only to the agency that reported it."""
    person = persons.resolve_person(session, record.person_id)
    primary = session.get(DeathRecord, record.attached_to_id) if record.attached_to_id else None
    root = primary or record
    reversal = session.scalars(
        select(DeathReversal).where(DeathReversal.death_record_id == root.id)
    ).first()
    date_conflict = False
    if primary is not None:
        a, b = death_period(record), death_period(primary)
        date_conflict = a[1] < b[0] or b[1] < a[0]
    view: DeathRecordView = {
        "ack_id": record.ack_id,
        "national_id": person.national_id,
        "life_status": person.life_status,
        "source_type": record.source_type,
        "document_number": record.document_number,
        "date_of_death": record.date_of_death.isoformat(),
        "date_precision": record.date_precision,
        "place": record.place,
        "cause_code": record.cause_code if with_cause else None,
        "agency": record.agency_name,
        "status": record.status,
        "attached_to": primary.ack_id if primary else None,
        "date_conflict": date_conflict,
        "recorded_at": journal.canonical_time(record.created_at) + "Z",
        "reversal": None if reversal is None else {
            "judgment_reference": reversal.judgment_reference, "court": reversal.court,
            "judgment_date": reversal.judgment_date.isoformat() if reversal.judgment_date else None,
            "reversed_at": journal.canonical_time(reversal.created_at) + "Z",
        },
    }
    return view


def _content_hash(report: DeathReport) -> str:
    body = json.dumps(report.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _find(session: Session, agency_id: int, document_number: str) -> DeathRecord | None:
    return session.scalars(
        select(DeathRecord).where(DeathRecord.agency_id == agency_id,
                                  DeathRecord.document_number == document_number)
    ).first()


def _replay(session: Session, existing: DeathRecord,
            content_hash: str) -> tuple[int, DeathRecordView]:
    if existing.content_hash != content_hash:
        raise Conflict("this agency already reported another death under this document number",
                       code="document_number_conflict")
    return 200, record_view(session, existing, with_cause=True)


def _lock(session: Session, person: Person) -> Person:
    # PostgreSQL: serialize deaths and reversals of one person (SQLite's BEGIN IMMEDIATE does).
    locked = session.get(Person, person.id, with_for_update=True, populate_existing=True)
    assert locked is not None
    return locked


def _check_dates(report: DeathReport, person: Person) -> date:
    first, last = period(report.date_of_death, report.date_precision)
    if first > date.today():
        raise Invalid("the date of death is in the future", code="death_in_future")
    if last < person.birth_date:
        raise Invalid("the date of death is before the person's birth date",
                      code="death_before_birth")
    return first


def record_death(session: Session, report: DeathReport, *,
                 principal: Principal) -> tuple[int, DeathRecordView]:
    """Record a reported death; return (201, view) when stored, (200, view) on a replay.

    Idempotent on (agency, document number). Raises ``NotFound`` (unknown ID, nothing stored),
    ``Invalid`` (bad ID, death before birth or in the future), ``Conflict`` (document number
    reused for other content). Commits.
    """
    if principal.agency_id is None or principal.agency_name is None:
        raise Invalid("death reports come from an agency key", code="agency_required")
    content_hash = _content_hash(report)
    existing = _find(session, principal.agency_id, report.document_number)
    if existing is not None:
        return _replay(session, existing, content_hash)
    person = _lock(session, persons.get_by_national_id(session, report.national_id))
    first_day = _check_dates(report, person)
    primary = active_death(session, person)
    record = DeathRecord(
        ack_id=f"dr_{secrets.token_hex(8)}", person_id=person.id,
        reported_national_id=report.national_id, agency_id=principal.agency_id,
        agency_name=principal.agency_name, actor=principal.actor,
        source_type=report.source_type, document_number=report.document_number,
        date_of_death=first_day, date_precision=report.date_precision, place=report.place,
        cause_code=report.cause_code, attached_to_id=primary.id if primary else None,
        status=DeathStatus.ACTIVE, content_hash=content_hash,
    )
    try:
        session.add(record)
        session.flush()
    except IntegrityError:  # the same report arriving twice at once (PostgreSQL)
        session.rollback()
        existing = _find(session, principal.agency_id, report.document_number)
        if existing is None:
            raise
        return _replay(session, existing, content_hash)
    details = {"ack_id": record.ack_id, "source_type": record.source_type,
               "document_number": record.document_number,
               "date_of_death": first_day.isoformat(), "date_precision": record.date_precision}
    if primary is None:
        person.life_status = persons.LifeStatus.DECEASED
        journal.emit(session, "death.recorded", person.national_id, {
            "national_id": person.national_id, "ack_id": record.ack_id,
            "date_of_death": first_day.isoformat(), "date_precision": record.date_precision,
            "source_type": record.source_type, "agency": record.agency_name,
            "recorded_at": journal.canonical_time(record.created_at) + "Z",
        })
    else:
        details["attached_to"] = primary.ack_id
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="death.record", outcome="attached" if primary else "recorded",
                  person_id=person.id, details=details)
    view = record_view(session, record, with_cause=True)
    session.commit()
    return 201, view


COURT_SCOPE = "court"


def _may_reverse(session: Session, primary: DeathRecord, ack_id: str, *,
                 principal: Principal, person_id: int) -> None:
    """Refuse (audited, nothing else written) unless the principal's agency recorded this death
    or is a court."""
    if COURT_SCOPE in principal.scopes or primary.agency_id == principal.agency_id:
        return
    reported = any(r.agency_id == principal.agency_id for r in _group(session, primary))
    exc: DomainError = (
        Forbidden("only the agency that recorded this death or a court may reverse it",
                  code="reversal_not_allowed") if reported else
        NotFound("no death record has this id", code="death_record_not_found"))
    session.rollback()
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="death.reverse", outcome="refused", person_id=person_id,
                  details={"requested_ack_id": ack_id, "code": exc.code})
    session.commit()
    raise exc


def reverse_death(session: Session, ack_id: str, request: ReversalRequest, *,
                  principal: Principal) -> tuple[int, DeathRecordView]:
    """Reverse the death a record belongs to (its primary and every attached report) on a court
    judgment; the person is alive again. (201, view) when reversed, (200, view) on a replay of
    the same judgment; ``Conflict`` when already reversed by another; 404/403 for an agency
    that neither recorded the death nor is a court (see the module). Commits."""
    if principal.agency_id is None or principal.agency_name is None:
        raise Invalid("reversals come from an agency key", code="agency_required")
    record = session.scalars(select(DeathRecord).where(DeathRecord.ack_id == ack_id)).first()
    if record is None:
        raise NotFound("no death record has this id", code="death_record_not_found")
    person = _lock(session, persons.resolve_person(session, record.person_id))
    primary = session.get(DeathRecord, record.attached_to_id) if record.attached_to_id else record
    assert primary is not None
    _may_reverse(session, primary, ack_id, principal=principal, person_id=person.id)
    done = session.scalars(
        select(DeathReversal).where(DeathReversal.death_record_id == primary.id)
    ).first()
    if done is not None:
        if done.judgment_reference == request.judgment_reference:
            return 200, record_view(session, record, with_cause=record.agency_id ==
                                    principal.agency_id)
        raise Conflict("this death was already reversed by another judgment",
                       code="already_reversed")
    reversal = DeathReversal(
        death_record_id=primary.id, person_id=person.id,
        judgment_reference=request.judgment_reference, court=request.court,
        judgment_date=request.judgment_date, reason=request.reason,
        agency_id=principal.agency_id, agency_name=principal.agency_name, actor=principal.actor,
        created_at=utcnow(),
    )
    session.add(reversal)
    for row in _group(session, primary):
        row.status = DeathStatus.REVERSED
    session.flush()
    if active_death(session, person) is None:
        person.life_status = persons.LifeStatus.ALIVE
    journal.emit(session, "death.reversed", person.national_id, {
        "national_id": person.national_id, "ack_id": primary.ack_id,
        "judgment_reference": reversal.judgment_reference,
        "reversed_at": journal.canonical_time(reversal.created_at) + "Z",
    })
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="death.reverse", outcome="reversed", person_id=person.id,
                  details={"ack_id": primary.ack_id, "requested_ack_id": ack_id,
                           "judgment_reference": reversal.judgment_reference})
    view = record_view(session, record, with_cause=record.agency_id == principal.agency_id)
    session.commit()
    return 201, view


def get_for_agency(session: Session, ack_id: str, *, principal: Principal) -> DeathRecordView:
    """A record as its reporting agency sees it; any other agency gets the same 404."""
    record = session.scalars(select(DeathRecord).where(DeathRecord.ack_id == ack_id)).first()
    if record is None or record.agency_id != principal.agency_id:
        raise NotFound("no death record has this id", code="death_record_not_found")
    return record_view(session, record, with_cause=True)
