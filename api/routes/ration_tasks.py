"""``/v1/ration/tasks``: the staff queue of what life events proposed (a new head after a
death, a newborn, a spouse moving on marriage, a return after divorce). Ministry keys only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from agencies.ration import agents, life_events, proposals, tasks, views
from agencies.ration.card_schemas import ProposalView, TaskDecisionIn, TaskDismissIn
from api.deps import RationAgencyDep, SessionDep

router = APIRouter(prefix="/v1/ration/tasks", tags=["ration"])
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_ERR: dict[int | str, dict[str, Any]] = {
    403: {"description": "agent key (ministry only)"}, 404: {"description": "no such task"},
    409: {"description": "task closed, outdated, or needs a head named by hand"},
    422: {"description": "invalid"}}


@router.get("", response_model=list[ProposalView], responses=_ERR,
            summary="Tasks in the queue, oldest first (after applying new life events)")
def list_tasks(request: Request, principal: RationAgencyDep, session: SessionDep,
               state: Annotated[Literal["open", "confirmed", "dismissed", "void"] | None,
                                Query()] = "open",
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[ProposalView]:
    agents.require_ministry(session, principal)
    life_events.sync(session=session,
                     grace_days=request.app.state.settings.ration_death_grace_days)
    return [views.proposal_view(session, p) for p in proposals.tasks(session, state, limit)]


@router.get("/{task_id}", response_model=ProposalView, responses=_ERR, summary="One task")
def get_task(task_id: TaskId, principal: RationAgencyDep, session: SessionDep) -> ProposalView:
    agents.require_ministry(session, principal)
    return views.proposal_view(session, tasks.get(session, task_id))


@router.post("/{task_id}/confirm", response_model=ProposalView, responses=_ERR,
             summary="Carry out the proposal (the head changes, the newborn joins, the spouse "
                     "moves with the old membership closed the same moment)")
def confirm_task(task_id: TaskId, body: TaskDecisionIn, principal: RationAgencyDep,
                 session: SessionDep) -> ProposalView:
    task = tasks.confirm(session, principal=principal, task_id=task_id, note=body.note)
    return views.proposal_view(session, task)


@router.post("/{task_id}/dismiss", response_model=ProposalView, responses=_ERR,
             summary="Dismiss the proposal, with the reason")
def dismiss_task(task_id: TaskId, body: TaskDismissIn, principal: RationAgencyDep,
                 session: SessionDep) -> ProposalView:
    task = tasks.dismiss(session, principal=principal, task_id=task_id, note=body.note)
    return views.proposal_view(session, task)
