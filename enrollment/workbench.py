"""The adjudication read model: the queue, a case with its candidates side by side, a person's
history. The workbench pages and the JSON routes read cases through here (no rendering)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from enrollment.adjudication import candidate_person
from enrollment.names import demographic_differences
from identity.platform.errors import NotFound
from identity.registry import persons
from matching import thresholds
from models.adjudication import CaseDecision, MergeRecord
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment, Sample, Template
from models.person import Person

FIELDS = (("given_name", "الاسم"), ("father_name", "اسم الأب"), ("grandfather_name", "اسم الجد"),
          ("surname", "اللقب"), ("mother_name", "اسم الأم"),
          ("maternal_grandfather_name", "اسم جد الأم"), ("sex", "الجنس"),
          ("birth_date", "تاريخ الميلاد"), ("birthplace", "محل الولادة"))
FINGER_NAMES = {1: "R thumb", 2: "R index", 3: "R middle", 4: "R ring", 5: "R little",
                6: "L thumb", 7: "L index", 8: "L middle", 9: "L ring", 10: "L little"}


def age_text(created: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    secs = max(0, int((now - created).total_seconds()))
    if secs < 3600:
        return f"{secs // 60} min"
    if secs < 86400:
        return f"{secs // 3600} h {secs % 3600 // 60} min"
    return f"{secs // 86400} d {secs % 86400 // 3600} h"


def bands() -> dict[str, float]:
    """The decision bounds on the posterior (``matching.posterior``): a packet is issued below
    ``review``, matched from ``match``."""
    return {"match": thresholds.value("posterior.match_min"),
            "review": thresholds.value("posterior.issue_max")}


@dataclass
class QueueFilters:
    station: str | None = None
    governorate: str | None = None
    band: str | None = None
    min_llr: float | None = None
    max_llr: float | None = None


def _filtered(q: Select[Any], f: QueueFilters) -> Select[Any]:
    """``q`` narrowed to the station, governorate and band of ``f`` (those given)."""
    if f.station:
        q = q.where(DuplicateCase.station_id == f.station)
    if f.governorate:
        q = q.where(DuplicateCase.birthplace == f.governorate)
    if f.band:
        q = q.where(DuplicateCase.band == f.band)
    return q


def list_cases(session: Session, *, status: str, f: QueueFilters, after: int = 0,
               limit: int = 50) -> list[DuplicateCase]:
    """Cases in id order after ``after`` (``status``: open, decided or all)."""
    q = select(DuplicateCase).where(DuplicateCase.id > after)
    if status != "all":
        q = q.where(DuplicateCase.status == status)
    return list(session.scalars(_filtered(q, f).order_by(DuplicateCase.id).limit(limit)))


def queue(session: Session, f: QueueFilters, limit: int = 200) -> dict[str, Any]:
    """Open cases, oldest first, with the filter choices present in the open queue."""
    q = _filtered(select(DuplicateCase).where(DuplicateCase.status == "open"), f)
    if f.min_llr is not None:
        q = q.where(DuplicateCase.best_llr >= f.min_llr)
    if f.max_llr is not None:
        q = q.where(DuplicateCase.best_llr < f.max_llr)
    cases = session.scalars(q.order_by(DuplicateCase.created_at, DuplicateCase.id)
                            .limit(limit)).all()
    ids = [c.id for c in cases]
    counts = dict(session.execute(
        select(DuplicateCandidate.case_id, func.count()).where(
            DuplicateCandidate.case_id.in_(ids)).group_by(DuplicateCandidate.case_id)).all())
    pending = set(session.scalars(select(CaseDecision.case_id).where(
        CaseDecision.case_id.in_(ids), CaseDecision.status == "proposed")))
    now = datetime.now(UTC)
    open_q = select(DuplicateCase).where(DuplicateCase.status == "open")
    return {
        "rows": [{"id": c.id, "age": age_text(c.created_at, now), "station": c.station_id,
                  "governorate": c.birthplace, "llr": c.best_llr, "band": c.band,
                  "p_existing": c.p_existing,
                  "candidates": counts.get(c.id, 0), "pending": c.id in pending}
                 for c in cases],
        "stations": sorted(set(session.scalars(open_q.with_only_columns(
            DuplicateCase.station_id)))),
        "governorates": sorted(set(session.scalars(open_q.with_only_columns(
            DuplicateCase.birthplace)))),
        "total_open": session.scalar(select(func.count()).select_from(DuplicateCase).where(
            DuplicateCase.status == "open")) or 0,
    }


@dataclass
class Side:
    national_id: str | None
    status: str
    demographics: dict[str, Any]
    face: bool
    fingers: set[int] = field(default_factory=set)


def _positions(session: Session, *, person_id: int | None = None,
               enrollment_id: int | None = None) -> set[int]:
    q = select(Template.position)
    q = (q.where(Template.person_id == person_id) if person_id is not None
         else q.where(Template.enrollment_id == enrollment_id))
    return set(session.scalars(q))


def _packet_side(session: Session, enrollment: Enrollment) -> Side:
    positions = set(session.scalars(select(Sample.position).where(
        Sample.enrollment_id == enrollment.id)))
    nid = None
    if enrollment.person_id is not None:
        nid = persons.resolve_person(session, enrollment.person_id).national_id
    return Side(nid, enrollment.status, dict(enrollment.demographics), 0 in positions,
                {p for p in positions if p > 0})


def candidate_side(session: Session, cand: DuplicateCandidate) -> dict[str, Any]:
    """Who a candidate is now: a person (after merges, or the person its held packet became),
    or a packet still held for review (no national ID, ``held_enrollment_id`` set)."""
    person = candidate_person(session, cand)
    if person is not None:
        return {"national_id": person.national_id, "status": person.status,
                "fraud_flag": person.fraud_flag, "held_enrollment_id": None,
                "demographics": persons.demographics_of(person),
                "positions": _positions(session, person_id=person.id)}
    held = session.get(Enrollment, cand.held_enrollment_id)
    assert held is not None
    return {"national_id": None, "status": f"held ({held.status})", "fraud_flag": False,
            "held_enrollment_id": held.id, "demographics": dict(held.demographics),
            "positions": _positions(session, enrollment_id=held.id)}


def candidates(session: Session, case_id: int) -> list[tuple[DuplicateCandidate, dict[str, Any]]]:
    """A case's candidates by rank, each with ``candidate_side``."""
    rows = session.scalars(select(DuplicateCandidate).where(
        DuplicateCandidate.case_id == case_id).order_by(DuplicateCandidate.rank))
    return [(c, candidate_side(session, c)) for c in rows]


def summary(case: DuplicateCase) -> dict[str, Any]:
    """The fields of a case that a listing shows."""
    return {"case_id": case.id, "enrollment_id": case.enrollment_id, "status": case.status,
            "station_id": case.station_id, "birthplace": case.birthplace,
            "best_llr": case.best_llr, "band": case.band, "p_existing": case.p_existing,
            "decision": case.decision, "created_at": case.created_at}


def get_case(session: Session, case_id: int) -> DuplicateCase:
    row = session.get(DuplicateCase, case_id)
    if row is None:
        raise NotFound("no such duplicate case", code="case_not_found")
    return row


def case(session: Session, case_id: int) -> dict[str, Any]:
    row = get_case(session, case_id)
    enrollment = session.get(Enrollment, row.enrollment_id)
    assert enrollment is not None
    packet = _packet_side(session, enrollment)
    cands = []
    for c, side in candidates(session, row.id):
        have = side["positions"]
        scores = {int(k): float(v) for k, v in (c.finger_scores or {}).items()}
        fingers = [{"position": p, "name": FINGER_NAMES[p], "score": scores.get(p),
                    "packet": p in packet.fingers, "candidate": p in have}
                   for p in range(1, 11) if p in packet.fingers or p in have]
        cands.append({
            "rank": c.rank, "national_id": side["national_id"], "status": side["status"],
            "held_enrollment_id": side["held_enrollment_id"],
            "fraud_flag": side["fraud_flag"], "llr": c.llr, "band": c.band,
            "demographic_llr": c.demographic_llr, "posterior": c.posterior,
            "identical": c.identical,
            "face_distance": c.face_distance, "face": 0 in have and packet.face,
            "fingers": fingers, "demographics": side["demographics"],
            "differences": set(demographic_differences(packet.demographics,
                                                       side["demographics"])),
        })
    decisions = session.scalars(select(CaseDecision).where(CaseDecision.case_id == row.id)
                                .order_by(CaseDecision.id)).all()
    return {"case": row, "enrollment": enrollment, "packet": packet, "candidates": cands,
            "decisions": decisions, "bands": bands(), "fields": FIELDS,
            "pending": next((d for d in decisions if d.status == "proposed"), None),
            "age": age_text(row.created_at)}


def person(session: Session, national_id: str) -> dict[str, Any]:
    """A person found by any of its IDs, with its aliases and merge history."""
    found: Person = persons.get_by_national_id(session, national_id)
    merges = session.scalars(select(MergeRecord).where(
        (MergeRecord.survivor_id == found.id) | (MergeRecord.absorbed_id == found.id))
        .order_by(MergeRecord.id.desc())).all()
    enrollments = session.scalars(select(Enrollment).where(Enrollment.person_id == found.id)
                                  .order_by(Enrollment.id)).all()
    return {"person": found, "asked": national_id, "aliases": persons.aliases(session, found),
            "demographics": persons.demographics_of(found), "fields": FIELDS,
            "merges": merges, "legacy": persons.legacy_ids_of(session, found),
            "enrollments": enrollments}
