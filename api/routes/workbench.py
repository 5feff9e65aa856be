"""Adjudication decisions and unmerge as JSON (admin): the workbench pages call the same
services. A 200 means the decision is committed; a 202 means a merge awaits a second admin."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deciding import DeciderDep
from api.deps import AdminDep, SessionDep
from enrollment import adjudication

router = APIRouter(tags=["adjudication"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["same", "different", "fraud"]
    reason_code: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=adjudication.MAX_NOTE)
    # For "same": the candidate judged to be the packet's person (default: rank 1).
    candidate_national_id: str | None = Field(default=None, min_length=12, max_length=12)


class DecisionOut(BaseModel):
    case_id: int
    decision: str
    status: str  # applied | awaiting_second_admin
    decision_id: int
    outcome: str | None = None
    national_id: str | None = None
    alias: str | None = None
    merge_id: int | None = None
    distinct_from: list[str] | None = None
    flagged: list[str] | None = None
    demographic_differences: list[str] | None = None
    # Person-to-person cases the decision raised (a packet that matched two persons).
    pair_cases: list[int] | None = None
    proposed_by: str | None = None


class UnmergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason_code: Literal["merge_error", "court_order", "other"]
    note: str = Field(default="", max_length=adjudication.MAX_NOTE)


class UnmergeOut(BaseModel):
    national_id: str
    survivor_national_id: str
    restored_ids: list[str]
    merge_id: int
    status: str


_ERRORS: dict[int | str, dict[str, Any]] = {404: {"description": "no such case or candidate"},
           409: {"description": "already decided, second admin required, merge conflict, "
                        "or case_changed (persons enrolled since it opened were added)"},
           422: {"description": "bad decision, reason or note"}}


@router.post("/v1/duplicate-cases/{case_id}/decision", response_model=DecisionOut,
             summary="Decide a duplicate case (same / different / fraud)",
             responses={202: {"model": DecisionOut,
                              "description": "merge proposed, awaiting a second admin"},
                        **_ERRORS})
def decide_case(case_id: int, body: DecisionIn, principal: AdminDep, session: SessionDep,
                decider: DeciderDep, request: Request) -> JSONResponse:
    applied = adjudication.decide(
        session, case_id=case_id, principal=principal, decision=body.decision,
        reason_code=body.reason_code, note=body.note,
        candidate_national_id=body.candidate_national_id, decider=decider,
        two_admins=request.app.state.settings.merge_needs_two_admins)
    out = DecisionOut.model_validate(applied.body)
    return JSONResponse(out.model_dump(mode="json", exclude_none=True), applied.status_code)


@router.post("/v1/persons/{national_id}/unmerge", response_model=UnmergeOut,
             summary="Reverse a merge: both IDs and their records are restored",
             responses={404: {"description": "unknown ID or not merged"},
                        409: {"description": "the survivor was merged since"},
                        422: {"description": "bad reason"}})
def unmerge_person(national_id: str, body: UnmergeIn, principal: AdminDep,
                   session: SessionDep, decider: DeciderDep) -> UnmergeOut:
    result = adjudication.unmerge(session, national_id=national_id, principal=principal,
                                  reason_code=body.reason_code, note=body.note,
                                  decider=decider)
    return UnmergeOut.model_validate(result)
