"""The agency-facing 1:1 verify: lock check, biometric comparison, counters, audit, commit.

An agency gets a band and the person's life status, never a score, template or demographics;
it sees the person only through its own pseudonym (``subject_ref``). Every attempt, including
one refused by the lock or for an unknown ID, writes an audit row in its own transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from identity.access import agencies, journal
from identity.access.keys import Principal
from identity.biometrics import liveness, probes
from identity.biometrics.verify import match_probe
from identity.platform.errors import DomainError, NotFound
from identity.registry import persons
from models.security import Agency


@dataclass(frozen=True)
class AgencyVerifyAnswer:
    match: bool
    decision_band: str
    modalities_used: list[str]
    life_status: str
    checked_at: datetime
    transaction_id: str
    subject_ref: str


@dataclass(frozen=True)
class VerifyRequest:
    national_id: str
    face: bytes | None
    fingers: dict[int, bytes]
    purpose: str | None = None
    # The active liveness challenge's frames (identity.biometrics.liveness); checked when sent.
    face_frames: tuple[bytes, ...] = ()


def _refuse(session: Session, principal: Principal, request: VerifyRequest, exc: DomainError,
            *, person_id: int | None = None, subject_ref: str | None = None) -> DomainError:
    session.rollback()
    journal.audit(session, actor=principal.actor, action="verify", outcome=exc.code[:64],
                  agency=principal.agency_name, purpose=request.purpose, person_id=person_id,
                  subject_ref=subject_ref,
                  details={"national_id_presented": request.national_id[:12]})
    session.commit()
    return exc


def verify_for_agency(*, session: Session, principal: Principal, request: VerifyRequest,
                      max_pixels: int, policy: agencies.LockPolicy) -> AgencyVerifyAnswer:
    """Answer one agency verify (commits). Raises 404/415/422 for bad input, 429 when locked."""
    capture = probes.decode_capture(request.face, request.fingers, max_pixels=max_pixels)
    agency = session.get(Agency, principal.agency_id)
    if agency is None:
        raise NotFound("the key's agency no longer exists", code="agency_not_found")
    try:
        person = persons.get_by_national_id(session, request.national_id)
    except NotFound as exc:
        raise _refuse(session, principal, request, exc) from None
    person_id, ref = person.id, agencies.subject_ref(agency, person.id)
    try:
        agencies.check_not_locked(session, agency.id, person_id)
    except agencies.SubjectLocked as exc:
        raise _refuse(session, principal, request, exc, person_id=person_id,
                      subject_ref=ref) from None
    session.rollback()  # extraction is slow: hold no transaction (SQLite's write lock) meanwhile

    try:
        if request.face_frames:
            liveness.check_frames(request.face_frames, max_pixels=max_pixels,
                                  face=request.face)
        probe = probes.extract(capture, failure_code="probe_quality_failed")
    except DomainError as exc:
        raise _refuse(session, principal, request, exc, person_id=person_id,
                      subject_ref=ref) from None

    person = persons.resolve_person(session, person_id)  # a merge may have landed meanwhile
    ref = agencies.subject_ref(agency, person.id)
    try:
        result = match_probe(session, person, probe)
        locked = agencies.settle_attempt(session, agency.id, person.id, success=result.match,
                                         policy=policy)
    except DomainError as exc:
        raise _refuse(session, principal, request, exc, person_id=person.id,
                      subject_ref=ref) from None
    transaction_id = uuid.uuid4().hex
    row = journal.audit(
        session, actor=principal.actor, action="verify", outcome=result.band,
        agency=principal.agency_name, purpose=request.purpose, person_id=person.id,
        subject_ref=ref,
        details={"transaction_id": transaction_id, "modalities": result.modalities_used,
                 "national_id_presented": request.national_id, "locked": locked})
    answer = AgencyVerifyAnswer(
        match=result.match, decision_band=result.band, modalities_used=result.modalities_used,
        life_status=person.life_status, checked_at=row.at, transaction_id=transaction_id,
        subject_ref=ref)
    session.commit()
    return answer
