"""Raqibni complaints in the admin pages: the list (by state), one complaint with its photo and
steps, and the form that routes, answers, escalates or closes it. The answer's note is what the
citizen reads on ``/raqibni/track``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from agencies.ration import complaint_public, complaints
from agencies.ration.complaint_views import ABOUT_AR, ITEMS_AR, STATES_AR, staff_view
from agencies.ration.complaints import TRANSITIONS, StepIn
from agencies.ration.schemas import CODE
from api.admin import web
from api.admin.auth import check_csrf
from api.deps import AdminDep, SessionDep
from identity.platform.errors import DomainError, Invalid, NotFound

router = APIRouter(prefix="/admin/complaints", tags=["workbench"])
Tracking = Annotated[str, Path(min_length=1, max_length=16, pattern=CODE)]
States = Literal["filed", "routed", "answered", "escalated", "closed"]
_404: dict[int | str, dict[str, object]] = {404: {"description": "no such complaint"}}
_JPEG: dict[int | str, dict[str, object]] = {
    200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
          "description": "the photo (re-encoded, no metadata)"}}


@router.get("", response_class=HTMLResponse, responses=web.HTML_RESPONSES,
            summary="Workbench: Raqibni complaints, newest first")
def complaints_page(request: Request, principal: AdminDep, session: SessionDep,
                    state: Annotated[States | None, Query()] = None) -> HTMLResponse:
    rows = [staff_view(session, c) for c in complaints.listing(session, state=state, limit=200)]
    session.rollback()
    return web.page(request, "complaints.html", rows=rows, state=state, states=STATES_AR,
                    about=ABOUT_AR, items=ITEMS_AR)


@router.get("/{tracking_number}", response_class=HTMLResponse,
            responses={**web.HTML_RESPONSES, **_404}, summary="Workbench: one complaint")
def complaint_page(tracking_number: Tracking, request: Request, principal: AdminDep,
                   session: SessionDep,
                   notice: Annotated[str | None, Query(pattern=web.NOTICE_PATTERN)] = None,
                   ) -> HTMLResponse:
    view = staff_view(session, complaints.get(session, tracking_number))
    session.rollback()
    return web.page(request, "complaint.html", c=view, states=STATES_AR, about=ABOUT_AR,
                    items=ITEMS_AR, next_states=sorted(TRANSITIONS[view.state]))


@router.get("/{tracking_number}/photo.jpg", response_class=Response,
            responses={**_JPEG, **_404}, summary="Workbench: a complaint's photo")
def complaint_photo(tracking_number: Tracking, principal: AdminDep,
                    session: SessionDep) -> Response:
    photo = complaint_public.photo_of(session, complaints.get(session, tracking_number).id)
    if photo is None:
        raise NotFound("this complaint has no photo", code="photo_not_found")
    data = photo.data
    session.rollback()
    return Response(data, media_type="image/jpeg", headers=web.HEADERS)


@router.post("/{tracking_number}/steps", response_class=RedirectResponse, status_code=303,
             summary="Workbench form: route, answer, escalate or close a complaint",
             responses={**web.REDIRECT_RESPONSES, **_404})
def step_form(
    tracking_number: Tracking, request: Request, principal: AdminDep, session: SessionDep,
    state: Annotated[str, Form(max_length=12)],
    note: Annotated[str, Form(max_length=1000)] = "",
    routed_to: Annotated[str, Form(max_length=100)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    check_csrf(request, csrf)
    try:
        step = StepIn.model_validate({"state": state, "note": note.strip() or None,
                                      "routed_to": routed_to.strip() or None})
        complaints.advance(session, principal=principal, tracking_number=tracking_number,
                           request=step)
        code = "step_recorded"
    except ValidationError:
        if not web.via_cookie(request):
            raise Invalid("choose a step the complaint allows", code="invalid_step") from None
        code = "invalid_step"
    except DomainError as exc:
        if not web.via_cookie(request) or exc.status_code == 404:
            raise
        code = exc.code
    return RedirectResponse(f"/admin/complaints/{tracking_number}?notice={code}", 303)
