"""The workbench pages (admin): the queue, a case side by side, a person, and the decision and
unmerge forms. Forms post back and are redirected (303) to the page with a notice; a bearer
client gets the same error JSON as the API instead."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.admin import render, web
from api.admin.auth import check_csrf
from api.deciding import DeciderDep
from api.deps import AdminDep, SessionDep
from enrollment import adjudication
from enrollment import workbench as views
from identity.access import journal
from identity.platform.errors import DomainError

router = APIRouter(prefix="/admin", tags=["workbench"])

NidForm = Annotated[str, Form(max_length=12)]
CsrfForm = Annotated[str, Form(max_length=128)]


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _pct(p: float) -> float:
    """Where probability ``p`` sits on a log-odds bar from 1e-6 to 1 - 1e-6 (percent)."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return round(100 * (math.log10(p / (1 - p)) + 6) / 12, 1)


@router.get("/", response_class=HTMLResponse, summary="Workbench: open cases, oldest first",
            responses=web.HTML_RESPONSES)
def queue_page(
    request: Request, principal: AdminDep, session: SessionDep,
    station: Annotated[str | None, Query(max_length=64)] = None,
    governorate: Annotated[str | None, Query(max_length=50)] = None,
    band: Annotated[str | None, Query(pattern="^(match|review|no_match)?$")] = None,
    notice: Annotated[str | None, Query(pattern=web.NOTICE_PATTERN)] = None,
) -> HTMLResponse:
    filters = views.QueueFilters(_clean(station), _clean(governorate), _clean(band))
    data = views.queue(session, filters)
    session.rollback()
    return web.page(request, "queue.html", q=data, f=filters, bands=views.bands())


@router.get("/cases/{case_id}", response_class=HTMLResponse, summary="Workbench: one case",
            responses={**web.HTML_RESPONSES, 404: {"description": "no such case"}})
def case_page(case_id: int, request: Request, principal: AdminDep, session: SessionDep,
              notice: Annotated[str | None, Query(pattern=web.NOTICE_PATTERN)] = None,
              ) -> HTMLResponse:
    data = views.case(session, case_id)
    resp = web.page(request, "case.html", c=data, bands=data["bands"], pct=_pct,
                    reasons=adjudication.REASONS)
    journal.audit(session, actor=principal.actor, action="case.read", outcome="ok",
                  details={"case_id": case_id, "via": "workbench"})
    session.commit()
    return resp


@router.get("/cases/{case_id}/candidates/{rank}/{position}/{side}.png",
            response_class=Response, summary="Workbench: a face or finger of a case as PNG",
            responses={**web.PNG_RESPONSES, 404: {"description": "no such case or sample"}})
def case_image(case_id: int, rank: Annotated[int, Path(ge=1, le=100)],
               position: Annotated[int, Path(ge=0, le=10)],
               side: Literal["packet", "candidate"],
               request: Request, principal: AdminDep, session: SessionDep) -> Response:
    max_pixels = request.app.state.settings.max_image_pixels
    if position == 0:
        data = render.face_png(session, case_id, rank, side, max_pixels)
    else:
        data = render.finger_png(session, case_id, rank, position, side, max_pixels)
    session.rollback()
    return web.png(data)


@router.post("/cases/{case_id}/decision", response_class=RedirectResponse, status_code=303,
             summary="Workbench form: decide a case", responses=web.REDIRECT_RESPONSES)
def decide_form(
    case_id: int, request: Request, principal: AdminDep, session: SessionDep,
    decider: DeciderDep, decision: Annotated[str, Form(max_length=16)],
    reason_code: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=adjudication.MAX_NOTE)] = "",
    candidate: NidForm = "", csrf: CsrfForm = "",
) -> RedirectResponse:
    check_csrf(request, csrf)
    try:
        applied = adjudication.decide(
            session, case_id=case_id, principal=principal, decision=decision,
            reason_code=reason_code, note=note, candidate_national_id=candidate or None,
            decider=decider, two_admins=request.app.state.settings.merge_needs_two_admins)
        code = "awaiting_second_admin" if applied.status_code == 202 else "decided"
    except DomainError as exc:
        if not web.via_cookie(request) or exc.status_code == 404:
            raise
        code = exc.code
    return RedirectResponse(f"/admin/cases/{case_id}?notice={code}", 303)


@router.get("/persons", response_class=HTMLResponse, summary="Workbench: find a person by any ID",
            responses={**web.HTML_RESPONSES, 404: {"description": "unknown ID"}})
def person_page(request: Request, principal: AdminDep, session: SessionDep,
                nid: Annotated[str | None, Query(max_length=20)] = None,
                notice: Annotated[str | None, Query(pattern=web.NOTICE_PATTERN)] = None,
                ) -> Response:
    nid = (nid or "").strip()
    if not nid:
        return web.page(request, "person.html", p=None)
    try:
        data = views.person(session, nid)
    except DomainError as exc:
        if not web.via_cookie(request):
            raise
        session.rollback()
        return RedirectResponse(f"/admin/persons?notice={exc.code}", 303)
    resp = web.page(request, "person.html", p=data,
                    unmerge_reasons=adjudication.UNMERGE_REASONS)
    journal.audit(session, actor=principal.actor, action="person.read", outcome="ok",
                  person_id=data["person"].id, details={"national_id": nid, "via": "workbench"})
    session.commit()
    return resp


@router.post("/persons/{national_id}/unmerge", response_class=RedirectResponse,
             status_code=303, summary="Workbench form: reverse a merge",
             responses=web.REDIRECT_RESPONSES)
def unmerge_form(
    national_id: Annotated[str, Path(pattern="^[0-9]{12}$")], request: Request,
    principal: AdminDep, session: SessionDep, decider: DeciderDep,
    reason_code: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=adjudication.MAX_NOTE)] = "", csrf: CsrfForm = "",
) -> RedirectResponse:
    check_csrf(request, csrf)
    try:
        adjudication.unmerge(session, national_id=national_id, principal=principal,
                             reason_code=reason_code, note=note, decider=decider)
        code = "unmerged"
    except DomainError as exc:
        if not web.via_cookie(request):
            raise
        code = exc.code
    return RedirectResponse(f"/admin/persons?nid={national_id}&notice={code}", 303)
