"""The agency-facing 1:1 verify: lock check, biometric comparison, counters, audit, commit.

An agency gets a band, never a score, template or demographics, and the person's life status
only with a ``match`` (a ``review`` or ``no_match`` answer says nothing about whether the ID is
alive); it sees the person only through its own pseudonym (``subject_ref``). Every attempt,
including one refused by the lock or for an unknown ID, writes an audit row in its own
transaction.

What counts toward the lock (``identity.access.agencies``, per agency and across agencies): a
``review`` or ``no_match`` answer, and a probe that fails the quality check. What does not: a
probe that cannot decide (``identity.biometrics.verify_policy``: one finger alone), refused
before any extraction, and bad input (undecodable image, unknown ID).
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
from identity.biometrics.verify_policy import require_decidable
from identity.platform.errors import DomainError, NotFound
from identity.registry import persons
from identity.registry.persons import Person
from models.security import Agency


@dataclass(frozen=True)
class AgencyVerifyAnswer:
    match: bool
    decision_band: str
    modalities_used: list[str]
    life_status: str | None  # only with a match
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


# Refusals that are failed attempts: the capture was judged (and the work was done).
COUNTED_REFUSALS = frozenset({"probe_quality_failed"})


def _refuse(session: Session, principal: Principal, request: VerifyRequest, exc: DomainError,
            *, person_id: int | None = None, subject_ref: str | None = None,
            policy: agencies.LockPolicy | None = None) -> DomainError:
    """Audit a refused attempt in its own transaction; count it toward the lock when it is one
    of ``COUNTED_REFUSALS``. Returns ``exc`` for the caller to raise."""
    session.rollback()
    details: dict[str, object] = {"national_id_presented": request.national_id[:12]}
    if policy is not None and person_id is not None and principal.agency_id is not None \
            and exc.code in COUNTED_REFUSALS:
        journal.lock_journal(session)
        details["locked"] = agencies.record_attempt(session, principal.agency_id, person_id,
                                                    success=False, policy=policy)
    journal.audit(session, actor=principal.actor, action="verify", outcome=exc.code[:64],
                  agency=principal.agency_name, purpose=request.purpose, person_id=person_id,
                  subject_ref=subject_ref, details=details)
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
        require_decidable(face=0 in capture.images,
                          fingers=sum(1 for pos in capture.images if pos != 0))
    except DomainError as exc:
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
                      subject_ref=ref, policy=policy) from None

    person = persons.resolve_person(session, person_id)  # a merge may have landed meanwhile
    ref = agencies.subject_ref(agency, person.id)
    try:
        result = match_probe(session, person, probe)
        used = result.modalities_used
        require_decidable(face="face" in used, fingers=sum(m != "face" for m in used),
                          compared=True)
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
        life_status=person.life_status if result.match else None, checked_at=row.at,
        transaction_id=transaction_id, subject_ref=ref)
    session.commit()
    return answer


@dataclass(frozen=True)
class LiveCheck:
    """An agency's check of a probe extracted earlier (the heirs report's live probes): the band,
    or why there is none (``subject_locked``, ``probe_cannot_decide``,
    ``no_comparable_modality``, ``probe_quality_failed``)."""

    status: str
    modalities_used: list[str]
    locked: bool = False


def live_check(session: Session, *, agency_id: int, person: Person,
               probe: probes.Probe | None, policy: agencies.LockPolicy) -> LiveCheck:
    """Judge one probe under ``verify_for_agency``'s rules, inside the caller's transaction (no
    commit): a locked subject is not compared; a probe that cannot decide is not counted; a
    quality failure (``probe`` None) and a ``review`` / ``no_match`` count toward the lock."""
    try:
        agencies.check_not_locked(session, agency_id, person.id)
    except DomainError as exc:
        return LiveCheck(exc.code, [])
    if probe is None:
        journal.lock_journal(session)
        locked = agencies.record_attempt(session, agency_id, person.id, success=False,
                                         policy=policy)
        return LiveCheck("probe_quality_failed", [], locked)
    try:
        require_decidable(face=probe.face is not None, fingers=len(probe.finger_templates))
        result = match_probe(session, person, probe)
        used = list(result.modalities_used)
        require_decidable(face="face" in used, fingers=sum(m != "face" for m in used),
                          compared=True)
        locked = agencies.settle_attempt(session, agency_id, person.id, success=result.match,
                                         policy=policy)
    except DomainError as exc:
        if exc.code not in ("probe_cannot_decide", "no_comparable_modality", "subject_locked"):
            raise
        return LiveCheck(exc.code, [])  # the comparison did not count: nothing to undo
    return LiveCheck(result.band, used, locked)
