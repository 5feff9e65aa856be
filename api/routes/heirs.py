"""The heirs report for the inheritance deed (scope ``heirs``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from agencies.heirs import create_report, get_report
from agencies.heirs.schemas import HeirsReport, HeirsReportRequest
from api import deed
from api.deps import HeirsAgencyDep, ReadSessionDep, SessionDep
from api.ratelimit import agency_limit

router = APIRouter(prefix="/v1/heirs", tags=["heirs"])

_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "unknown deceased or report"},
    409: {"description": "no death recorded for the deceased"},
    413: {"description": "probe image too large"},
    415: {"description": "probe image of an unsupported type"},
    422: {"description": "invalid input"},
    429: {"description": "rate limited (a report with live probes spends the verify budget)"},
}


@router.post("/report", status_code=201, response_model=HeirsReport, responses=_ERRORS,
             summary="Check a claim of heirs against the registry (stored, audited)")
def post_report(body: HeirsReportRequest, principal: HeirsAgencyDep, session: SessionDep,
                request: Request) -> HeirsReport:
    if any(c.probe is not None for c in body.claimed_heirs):
        agency_limit(request, principal)  # live probes spend the agency's verify budget
    report = create_report(session, body, principal=principal,
                           settings=request.app.state.settings)
    return HeirsReport.model_validate(report)


@router.get("/reports/{report_id}", response_model=HeirsReport, responses=_ERRORS,
            summary="A stored heirs report, for the agency that asked for it")
def read_report(report_id: Annotated[str, Path(min_length=1, max_length=24)],
                principal: HeirsAgencyDep, session: ReadSessionDep) -> HeirsReport:
    return HeirsReport.model_validate(get_report(session, report_id, principal=principal))


@router.get("/reports/{report_id}/deed", response_class=HTMLResponse, responses={
    **_ERRORS, 200: {"content": {"text/html": {"schema": {"type": "string"}}},
                     "description": "the deed as a printable Arabic page"}},
            summary="The inheritance deed (القسام الشرعي) of a stored report, as a page")
def read_deed(report_id: Annotated[str, Path(min_length=1, max_length=24)],
              principal: HeirsAgencyDep, session: ReadSessionDep) -> HTMLResponse:
    report = get_report(session, report_id, principal=principal)
    session.rollback()
    return deed.render(report)
