"""``/v1/ration``: distribution rounds, receipts (agents, after a 1:1 verify) and the ministry's
reports (JSON and a server-rendered page with inline-SVG charts)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from agencies.ration import distribution, report_page, reports
from agencies.ration.distribution import ReceiptRequest, ReceiptView, RoundIn, RoundView
from agencies.ration.schemas import CODE
from api.deps import RationAgencyDep, ReadSessionDep, SessionDep
from api.uploads import read_fingers, read_upload, stop_if_gone
from identity.access.agencies import LockPolicy

router = APIRouter(prefix="/v1/ration", tags=["ration"])
Upload = Annotated[UploadFile | None, File(description="PNG, TIFF or WSQ finger image")]
_ERR: dict[int | str, dict[str, Any]] = {
    403: {"description": "not an agent / collector may not collect / biometrics do not match"},
    404: {"description": "unknown card, round or person"},
    409: {"description": "already collected, round not open, not eligible"},
    413: {"description": "file too large"}, 415: {"description": "wrong image type"},
    422: {"description": "invalid"}, 429: {"description": "verify locked after failures"}}


@router.post("/rounds", response_model=RoundView, status_code=201, responses=_ERR,
             summary="A distribution round with its items and per-person quantities")
def create_round(body: RoundIn, principal: RationAgencyDep, session: SessionDep) -> RoundView:
    rnd = distribution.create_round(session, principal=principal, request=body)
    return distribution.round_view(session, rnd)


@router.get("/rounds/{code}", response_model=RoundView, responses=_ERR, summary="A round")
def get_round(code: Annotated[str, Path(max_length=16, pattern=CODE)],
              principal: RationAgencyDep, session: ReadSessionDep) -> RoundView:
    return distribution.round_view(session, distribution.get_round(session, code))


@router.post("/receipts", response_model=ReceiptView, status_code=201, responses=_ERR,
             summary="An agent records a card's collection after verifying the collector")
async def post_receipt(
    request: Request, principal: RationAgencyDep, session: SessionDep,
    card_number: Annotated[str, Form(min_length=1, max_length=16, pattern=CODE)],
    round: Annotated[str, Form(min_length=1, max_length=16, pattern=CODE)],
    collector_national_id: Annotated[str, Form(min_length=1, max_length=12)],
    face: Annotated[UploadFile | None, File(description="JPEG or PNG face image")] = None,
    finger_1: Upload = None, finger_2: Upload = None, finger_3: Upload = None,
    finger_4: Upload = None, finger_5: Upload = None, finger_6: Upload = None,
    finger_7: Upload = None, finger_8: Upload = None, finger_9: Upload = None,
    finger_10: Upload = None,
) -> ReceiptView:
    settings = request.app.state.settings
    limit = settings.max_image_bytes
    uploads = [finger_1, finger_2, finger_3, finger_4, finger_5, finger_6, finger_7, finger_8,
               finger_9, finger_10]
    fingers = await read_fingers(uploads, limit)
    face_bytes = await read_upload(face, "face", limit)
    req = ReceiptRequest(card_number=card_number, round_code=round,
                         collector=collector_national_id, face=face_bytes, fingers=fingers)
    policy = LockPolicy.from_settings(settings)
    await stop_if_gone(request)
    receipt, agent = await run_in_threadpool(
        distribution.record_receipt, session, principal=principal, request=req,
        max_pixels=settings.max_image_pixels, policy=policy,
        grace_days=settings.ration_death_grace_days)
    return distribution.receipt_view(session, receipt, agent)


def _report(request: Request, session: SessionDep, principal: Any,
            on: date | None) -> reports.Summary:
    return reports.for_ministry(session, principal=principal, on=on or date.today(),
                                grace_days=request.app.state.settings.ration_death_grace_days)


@router.get("/reports/summary", responses=_ERR,
            summary="Eligible by governorate, blocked by reason, receipts, complaints (JSON)")
def report_json(request: Request, principal: RationAgencyDep, session: SessionDep,
                on: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    return dict(_report(request, session, principal, on))


@router.get("/reports/page", response_class=HTMLResponse, responses=_ERR,
            summary="The same report as a page with charts")
def report_html(request: Request, principal: RationAgencyDep, session: SessionDep,
                on: Annotated[date | None, Query()] = None) -> HTMLResponse:
    return HTMLResponse(report_page.render(_report(request, session, principal, on)))
