"""``POST /v1/enrollments``: a station's packet in, a decision out (201 after the commit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deciding import DeciderDep
from api.deps import SessionDep, StationDep
from api.routes._station import EnrollmentResponse, Upload, parse_demographics, wait_ready
from api.uploads import read_fingers, read_upload
from enrollment.packet import Packet, parse_missing
from enrollment.service import enroll

router = APIRouter(prefix="/v1", tags=["enrollment"])


@router.post(
    "/enrollments", status_code=201, response_model=EnrollmentResponse,
    summary="Enroll a person from a station's packet",
    responses={200: {"model": EnrollmentResponse, "description": "replay of a capture_id"},
               202: {"model": EnrollmentResponse, "description": "held for adjudication"},
               403: {"description": "approver_invalid: the exception's approver is not a "
                                    "second operator of this station"},
               409: {"description": "capture_id reused with other content"},
               413: {"description": "file too large"}, 415: {"description": "wrong type"},
               422: {"description": "invalid packet, failed quality, or exception_required "
                                    "(an adult packet with too few fingers)"},
               503: {"description": "not_ready (gallery loading) or not_the_decider"}},
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
    exception_photo: Annotated[UploadFile | None, File(
        description="JPEG/PNG photo of the hands: the exception of an adult packet with too "
                    "few fingers")] = None,
    approver_key: Annotated[str | None, Form(
        max_length=200, description="a second operator's station key approving the exception "
                                    "(never stored)")] = None,
) -> JSONResponse:
    settings = request.app.state.settings
    limit = settings.max_image_bytes
    uploads = [finger_1, finger_2, finger_3, finger_4, finger_5, finger_6, finger_7, finger_8,
               finger_9, finger_10]
    fingers = await read_fingers(uploads, limit)
    packet = Packet(
        station_id=principal.name, capture_id=capture_id,
        demographics=parse_demographics(demographics), face=await read_upload(face, "face", limit),
        fingers=fingers, missing_fingers=parse_missing(missing_fingers),
        exception_photo=await read_upload(exception_photo, "exception_photo", limit),
        approver_key=approver_key or None,
    )
    await run_in_threadpool(wait_ready, decider.gallery)
    decision = await run_in_threadpool(
        lambda: enroll(session, packet, principal, max_pixels=settings.max_image_pixels,
                       decider=decider))
    return JSONResponse(decision.body, decision.status_code)
