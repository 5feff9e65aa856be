"""``/v1/complaints``: "Raqibni" complaints about ration items, agents and receipts.

Called by the Ministry of Trade's citizen portal and complaints desk with a ``ration`` agency
key that is not an agent's (an agent's key gets 403: complaints may be about that agent).
Citizens hold no keys; the portal names the citizen by national ID when filing, and must
present the same national ID to read a complaint's status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from agencies.ration import agents, complaints, reports
from agencies.ration.complaints import ComplaintIn, StepIn
from agencies.ration.schemas import CODE
from api.deps import RationAgencyDep, ReadSessionDep, SessionDep
from models.ration import Complaint

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])
Tracking = Annotated[str, Path(min_length=1, max_length=16, pattern=CODE)]
_ERR: dict[int | str, dict[str, Any]] = {
    403: {"description": "an agent's key"}, 404: {"description": "unknown"},
    409: {"description": "transition not allowed"}, 422: {"description": "invalid"}}


class StepView(BaseModel):
    state: str
    note: str | None
    at: datetime


class ComplaintView(BaseModel):
    tracking_number: str
    state: str
    about: str
    item: str | None
    agent_licence: str | None
    round: str | None
    receipt_id: int | None
    routed_to: str | None
    text: str
    created_at: datetime
    updated_at: datetime
    steps: list[StepView]


def _view(session: SessionDep, c: Complaint) -> ComplaintView:
    licence, round_code = complaints.labels(session, c)
    return ComplaintView(
        tracking_number=c.tracking_number, state=c.state, about=c.about, item=c.item,
        agent_licence=licence, round=round_code, receipt_id=c.receipt_id, routed_to=c.routed_to,
        text=c.text, created_at=c.created_at, updated_at=c.updated_at,
        steps=[StepView(state=s.state, note=s.note, at=s.at)
               for s in complaints.steps(session, c.id)])


@router.post("", response_model=ComplaintView, status_code=201, responses=_ERR,
             summary="File a complaint for a citizen; answers its tracking number")
def file_complaint(body: ComplaintIn, principal: RationAgencyDep,
                   session: SessionDep) -> ComplaintView:
    return _view(session, complaints.file(session, principal=principal, request=body))


@router.get("/counts", responses=_ERR, summary="Complaints per agent and per item, by state")
def complaint_counts(principal: RationAgencyDep, session: ReadSessionDep) -> dict[str, Any]:
    agents.require_ministry(session, principal)
    return {"per_agent": reports.complaints_per_agent(session),
            "per_item": reports.complaints_per_item(session)}


@router.get("/{tracking_number}", response_model=ComplaintView, responses=_ERR,
            summary="A complaint's status, for the complainant's national ID")
def read_complaint(tracking_number: Tracking,
                   national_id: Annotated[str, Query(min_length=1, max_length=12)],
                   principal: RationAgencyDep, session: ReadSessionDep) -> ComplaintView:
    complaint = complaints.read(session, principal=principal, tracking_number=tracking_number,
                                national_id=national_id)
    return _view(session, complaint)


@router.post("/{tracking_number}/steps", response_model=ComplaintView, responses=_ERR,
             summary="Route, answer, close or escalate a complaint")
def advance_complaint(tracking_number: Tracking, body: StepIn, principal: RationAgencyDep,
                      session: SessionDep) -> ComplaintView:
    complaint = complaints.advance(session, principal=principal,
                                   tracking_number=tracking_number, request=body)
    return _view(session, complaint)
