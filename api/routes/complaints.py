"""``/v1/complaints``: "Raqibni" complaints about ration items, agents, receipts and rations
that never came.

Called by the Ministry of Trade's citizen portal and complaints desk with a ``ration`` agency
key that is not an agent's (an agent's key gets 403: complaints may be about that agent). The
portal names the citizen by national ID when filing, and must present the same national ID to
read a complaint's status. Citizens themselves file on ``/raqibni/`` (``api.raqibni``); staff
also answer in the admin pages (``api.admin.complaints``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from agencies.ration import agents, complaints, reports
from agencies.ration.complaint_views import ComplaintView, staff_view
from agencies.ration.complaints import ComplaintIn, StepIn
from agencies.ration.schemas import CODE
from api.deps import RationAgencyDep, SessionDep

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])
Tracking = Annotated[str, Path(min_length=1, max_length=16, pattern=CODE)]
_ERR: dict[int | str, dict[str, Any]] = {
    403: {"description": "an agent's key"}, 404: {"description": "unknown"},
    409: {"description": "transition not allowed"}, 422: {"description": "invalid"}}


@router.post("", response_model=ComplaintView, status_code=201, responses=_ERR,
             summary="File a complaint for a citizen; answers its tracking number")
def file_complaint(body: ComplaintIn, principal: RationAgencyDep,
                   session: SessionDep) -> ComplaintView:
    return staff_view(session, complaints.file(session, principal=principal, request=body))


@router.get("/counts", responses=_ERR, summary="Complaints per agent and per item, by state")
def complaint_counts(principal: RationAgencyDep, session: SessionDep) -> dict[str, Any]:
    agents.require_ministry(session, principal)
    return {"per_agent": reports.complaints_per_agent(session),
            "per_item": reports.complaints_per_item(session)}


@router.get("/{tracking_number}", response_model=ComplaintView, responses=_ERR,
            summary="A complaint's status, for the complainant's national ID")
def read_complaint(tracking_number: Tracking,
                   national_id: Annotated[str, Query(min_length=1, max_length=12)],
                   principal: RationAgencyDep, session: SessionDep) -> ComplaintView:
    complaint = complaints.read(session, principal=principal, tracking_number=tracking_number,
                                national_id=national_id)
    return staff_view(session, complaint)


@router.post("/{tracking_number}/steps", response_model=ComplaintView, responses=_ERR,
             summary="Route, answer, close or escalate a complaint")
def advance_complaint(tracking_number: Tracking, body: StepIn, principal: RationAgencyDep,
                      session: SessionDep) -> ComplaintView:
    complaint = complaints.advance(session, principal=principal,
                                   tracking_number=tracking_number, request=body)
    return staff_view(session, complaint)
