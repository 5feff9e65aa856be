"""Admin reads of duplicate cases: the queue and one case with its ranked candidates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import AdminDep, SessionDep
from enrollment import workbench
from identity.access import journal

router = APIRouter(prefix="/v1/duplicate-cases", tags=["duplicate cases"])


class CandidateView(BaseModel):
    rank: int
    national_id: str | None = Field(description="the candidate's current ID (after merges); "
                                    "null for a packet still held for review")
    held_enrollment_id: int | None = Field(
        None, description="the held packet's enrollment, when the candidate has no ID yet")
    llr: float = Field(description="fused biometric LLR (face + fingers)")
    demographic_llr: float = Field(description="demographic LLR (matching.demographic)")
    posterior: float = Field(description="P(the packet is this candidate) when it was scored")
    identical: bool = Field(description="a template on file is near-identical to the packet's")
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
    p_existing: float | None = Field(None, description="P(the packet is someone on file) when "
                                     "the case opened")
    decision: str | None
    created_at: datetime


class CaseView(CaseSummary):
    demographics: dict[str, object]
    candidates: list[CandidateView]


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
    cases = workbench.list_cases(session, status=status, after=after, limit=limit,
                                 f=workbench.QueueFilters(station, birthplace, band))
    return [CaseSummary.model_validate(workbench.summary(c)) for c in cases]


@router.get("/{case_id}", response_model=CaseView, summary="One duplicate case",
            responses={404: {"description": "no such case"}})
def get_case(case_id: int, principal: AdminDep, session: SessionDep) -> CaseView:
    data = workbench.case(session, case_id)
    case = data["case"]
    view = CaseView.model_validate({
        **workbench.summary(case),
        "demographics": dict(data["enrollment"].demographics),
        "candidates": [
            {"rank": c["rank"], "national_id": c["national_id"],
             "held_enrollment_id": c["held_enrollment_id"], "llr": c["llr"],
             "demographic_llr": c["demographic_llr"], "posterior": c["posterior"],
             "identical": c["identical"], "band": c["band"],
             "face_distance": c["face_distance"],
             "finger_scores": {str(f["position"]): f["score"] for f in c["fingers"]
                               if f["score"] is not None}}
            for c in data["candidates"]
        ],
    })
    journal.audit(session, actor=principal.actor, action="case.read", outcome="ok",
                  details={"case_id": case.id})
    session.commit()
    return view
