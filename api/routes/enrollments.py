"""``POST /v1/enrollments``: a station's packet in, a decision out (201 after the commit)."""

from __future__ import annotations

import json
import time
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from api.deciding import DeciderDep
from api.deps import SessionDep, StationDep
from api.station.attest import attest
from api.uploads import read_fingers, read_upload
from enrollment.packet import Packet, parse_missing
from enrollment.service import enroll
from identity.biometrics.gallery import Gallery
from identity.platform.errors import DomainError, Invalid
from identity.registry.schemas import Demographics

router = APIRouter(prefix="/v1", tags=["enrollment"])
GALLERY_WAIT_S = 60.0


class NotReady(DomainError):
    status_code = 503
    code = "not_ready"


def _wait_ready(gallery: Gallery) -> bool:
    deadline = time.monotonic() + GALLERY_WAIT_S
    while not gallery.ready and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(gallery.ready)

Upload = Annotated[UploadFile | None, File(description="PNG, TIFF or WSQ finger image")]


class EnrollmentResponse(BaseModel):
    enrollment_id: int
    status: str  # issued | matched | review | fraud
    national_id: str | None = None
    case_id: int | None = None
    fraud_flag: bool | None = None


def _demographics(raw: str) -> Demographics:
    if len(raw) > 8000:
        raise Invalid("demographics is too long", code="invalid_demographics")
    try:
        return Demographics.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        details = None
        if isinstance(exc, ValidationError):
            details = [{"loc": [str(p) for p in e["loc"]], "message": e["msg"]}
                       for e in exc.errors()]
        raise Invalid("demographics are invalid", code="invalid_demographics",
                      details=details) from exc


@router.post(
    "/enrollments", status_code=201, response_model=EnrollmentResponse,
    summary="Enroll a person from a station's packet",
    responses={200: {"model": EnrollmentResponse, "description": "replay of a capture_id"},
               202: {"model": EnrollmentResponse, "description": "held for adjudication"},
               409: {"description": "capture_id reused with other content"},
               413: {"description": "file too large"}, 415: {"description": "wrong type"},
               422: {"description": "invalid packet or failed quality"}},
)
async def post_enrollment(
    request: Request,
    principal: StationDep,
    session: SessionDep,
    decider: DeciderDep,
    capture_id: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")],
    demographics: Annotated[str, Form(max_length=8000, description="JSON demographics")],
    face: Annotated[UploadFile | None, File(description="JPEG or PNG face image")] = None,
    missing_fingers: Annotated[str | None, Form(max_length=2000)] = None,
    finger_1: Upload = None, finger_2: Upload = None, finger_3: Upload = None,
    finger_4: Upload = None, finger_5: Upload = None, finger_6: Upload = None,
    finger_7: Upload = None, finger_8: Upload = None, finger_9: Upload = None,
    finger_10: Upload = None,
    captures: Annotated[UploadFile | None, File(description="signed SBI captures (JSON), "
                                                "enrollment.devices.trust")] = None,
) -> JSONResponse:
    settings = request.app.state.settings
    limit = settings.max_image_bytes
    uploads = [finger_1, finger_2, finger_3, finger_4, finger_5, finger_6, finger_7, finger_8,
               finger_9, finger_10]
    fingers = await read_fingers(uploads, limit)
    packet = Packet(
        station_id=principal.name, capture_id=capture_id,
        demographics=_demographics(demographics), face=await read_upload(face, "face", limit),
        fingers=fingers, missing_fingers=parse_missing(missing_fingers),
    )
    await attest(request, session, principal, packet, captures)
    if not await run_in_threadpool(_wait_ready, decider.gallery):
        raise NotReady("the gallery is still loading; retry shortly", code="not_ready")
    decision = await run_in_threadpool(
        lambda: enroll(session, packet, principal, max_pixels=settings.max_image_pixels,
                       decider=decider))
    return JSONResponse(decision.body, decision.status_code)
