"""Admin reads of duplicate cases: the queue and one case with its ranked candidates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import AdminDep, SessionDep
from identity.access import journal
from identity.platform.errors import NotFound
from models.dedup import DuplicateCandidate, DuplicateCase
from models.enrollment import Enrollment
from models.person import Person

router = APIRouter(prefix="/v1/duplicate-cases", tags=["duplicate cases"])


class CandidateView(BaseModel):
    rank: int
    national_id: str
    llr: float
    band: str
    face_distance: float | None
    finger_scores: dict[str, float]


class CaseSummary(BaseModel):
    case_id: int
    enrollment_id: int
    status: str
    station_id: str
    birthplace: str
    best_llr: float
    band: str
    decision: str | None
    created_at: datetime


class CaseView(CaseSummary):
    demographics: dict[str, object]
    candidates: list[CandidateView]


def _summary(case: DuplicateCase) -> dict[str, object]:
    return {"case_id": case.id, "enrollment_id": case.enrollment_id, "status": case.status,
            "station_id": case.station_id, "birthplace": case.birthplace,
            "best_llr": case.best_llr, "band": case.band, "decision": case.decision,
            "created_at": case.created_at}


@router.get("", response_model=list[CaseSummary], summary="Duplicate cases, oldest first")
def list_cases(
    principal: AdminDep, session: SessionDep,
    status: Literal["open", "decided", "all"] = "open",
    station: Annotated[str | None, Query(max_length=64)] = None,
    birthplace: Annotated[str | None, Query(max_length=50)] = None,
    band: Literal["match", "review"] | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CaseSummary]:
    query = select(DuplicateCase).where(DuplicateCase.id > after)
    if status != "all":
        query = query.where(DuplicateCase.status == status)
    if station:
        query = query.where(DuplicateCase.station_id == station)
    if birthplace:
        query = query.where(DuplicateCase.birthplace == birthplace)
    if band:
        query = query.where(DuplicateCase.band == band)
    cases = session.scalars(query.order_by(DuplicateCase.id).limit(limit)).all()
    return [CaseSummary.model_validate(_summary(c)) for c in cases]


@router.get("/{case_id}", response_model=CaseView, summary="One duplicate case",
            responses={404: {"description": "no such case"}})
def get_case(case_id: int, principal: AdminDep, session: SessionDep) -> CaseView:
    case = session.get(DuplicateCase, case_id)
    if case is None:
        raise NotFound("no such duplicate case", code="case_not_found")
    enrollment = session.get(Enrollment, case.enrollment_id)
    rows = session.execute(
        select(DuplicateCandidate, Person.national_id)
        .join(Person, Person.id == DuplicateCandidate.person_id)
        .where(DuplicateCandidate.case_id == case.id).order_by(DuplicateCandidate.rank)
    ).all()
    view = CaseView.model_validate({
        **_summary(case),
        "demographics": dict(enrollment.demographics) if enrollment else {},
        "candidates": [
            {"rank": c.rank, "national_id": nid, "llr": c.llr, "band": c.band,
             "face_distance": c.face_distance, "finger_scores": c.finger_scores}
            for c, nid in rows
        ],
    })
    journal.audit(session, actor=principal.actor, action="case.read", outcome="ok",
                  details={"case_id": case.id})
    session.commit()
    return view
