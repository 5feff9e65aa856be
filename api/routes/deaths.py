"""Death records from the issuing agencies (scope ``deaths``): report, reverse, read back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import DeathsAgencyDep, ReadSessionDep, SessionDep
from identity.registry import deaths
from identity.registry.deaths import DeathRecordView
from identity.registry.vital_schemas import DeathReport, ReversalRequest

router = APIRouter(prefix="/v1/death-records", tags=["deaths"])

AckId = Annotated[str, Path(min_length=1, max_length=24, description="acknowledgement id")]


_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "unknown national ID or record"},
    409: {"description": "document number reused / already reversed"},
    422: {"description": "invalid input, death before birth or in the future"},
}


@router.post("", status_code=201, response_model=DeathRecordView, responses={
    200: {"model": DeathRecordView, "description": "replay of an accepted report"}, **_ERRORS},
    summary="Report a death (idempotent on agency + document number)")
def post_death(report: DeathReport, principal: DeathsAgencyDep,
               session: SessionDep) -> JSONResponse:
    status, view = deaths.record_death(session, report, principal=principal)
    return JSONResponse(view, status)


@router.post("/{ack_id}/reversal", status_code=201, response_model=DeathRecordView, responses={
    200: {"model": DeathRecordView, "description": "replay of the same judgment"}, **_ERRORS,
    403: {"description": "reversal_not_allowed: only the recording agency or a court (an "
                         "agency with the court scope) may reverse a death"}},
    summary="Reverse a recorded death on a judgment (the recording agency or a court)")
def post_reversal(ack_id: AckId, request: ReversalRequest, principal: DeathsAgencyDep,
                  session: SessionDep) -> JSONResponse:
    status, view = deaths.reverse_death(session, ack_id, request, principal=principal)
    return JSONResponse(view, status)


@router.get("/{ack_id}", response_model=DeathRecordView, responses=_ERRORS,
            summary="A death record, for the agency that reported it")
def get_death(ack_id: AckId, principal: DeathsAgencyDep,
              session: ReadSessionDep) -> DeathRecordView:
    return deaths.get_for_agency(session, ack_id, principal=principal)
