"""Station routes beside enrollment: birth registration and biometric updates of an ID."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deciding import DeciderDep
from api.deps import SessionDep, StationDep
from api.routes._station import EnrollmentResponse, Upload, parse_demographics, wait_ready
from api.uploads import read_fingers, read_upload
from enrollment import births, updates
from enrollment.packet import Packet, parse_missing

router = APIRouter(prefix="/v1", tags=["enrollment"])
CaptureId = Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
NationalIdForm = Annotated[str, Form(pattern=r"^[0-9]{12}$")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "a parent's (or the person's) national ID is unknown"},
    409: {"description": "capture_id reused with other content, or person deceased"},
    413: {"description": "file too large"}, 415: {"description": "wrong type"},
    422: {"description": "invalid demographics, parents, age or failed quality"},
    503: {"description": "not_ready (gallery loading) or not_the_decider"}}


@router.post(
    "/births", status_code=201, response_model=EnrollmentResponse,
    summary="Register a birth: a child under the finger age, linked to both parents",
    responses={200: {"model": EnrollmentResponse,
                     "description": "the child is already registered (its ID), or a replay"},
               202: {"model": EnrollmentResponse, "description": "held for adjudication"},
               **_ERRORS})
async def post_birth(
    request: Request, principal: StationDep, session: SessionDep, decider: DeciderDep,
    capture_id: CaptureId,
    demographics: Annotated[str, Form(max_length=8000, description="JSON: the child's")],
    mother_national_id: NationalIdForm, father_national_id: NationalIdForm,
    birth_certificate: Annotated[str, Form(min_length=1, max_length=64,
                                           pattern=r"^[A-Za-z0-9/._:-]+$")],
    face: Annotated[UploadFile | None, File(description="JPEG or PNG photo, optional")] = None,
) -> JSONResponse:
    settings = request.app.state.settings
    packet = Packet(station_id=principal.name, capture_id=capture_id,
                    demographics=parse_demographics(demographics),
                    face=await read_upload(face, "face", settings.max_image_bytes))
    parents = births.Parents(mother_national_id, father_national_id, birth_certificate)
    await run_in_threadpool(wait_ready, decider.gallery)
    decision = await run_in_threadpool(
        lambda: births.register(session, packet, parents, principal,
                                max_pixels=settings.max_image_pixels, decider=decider))
    return JSONResponse(decision.body, decision.status_code)


@router.post(
    "/persons/{national_id}/biometric-updates", status_code=200,
    response_model=EnrollmentResponse,
    summary="Add fingers (and a face) to an existing ID; never a new ID",
    responses={202: {"model": EnrollmentResponse,
                     "description": "held: someone else on file may own these samples"},
               **_ERRORS})
async def post_update(
    request: Request, principal: StationDep, session: SessionDep, decider: DeciderDep,
    national_id: Annotated[str, Path(pattern=r"^[0-9]{12}$")],
    capture_id: CaptureId,
    face: Annotated[UploadFile | None, File(description="JPEG or PNG face image")] = None,
    missing_fingers: Annotated[str | None, Form(max_length=2000)] = None,
    finger_1: Upload = None, finger_2: Upload = None, finger_3: Upload = None,
    finger_4: Upload = None, finger_5: Upload = None, finger_6: Upload = None,
    finger_7: Upload = None, finger_8: Upload = None, finger_9: Upload = None,
    finger_10: Upload = None,
) -> JSONResponse:
    settings = request.app.state.settings
    limit = settings.max_image_bytes
    fingers = await read_fingers([finger_1, finger_2, finger_3, finger_4, finger_5, finger_6,
                                  finger_7, finger_8, finger_9, finger_10], limit)
    person = await run_in_threadpool(lambda: updates.demographics_for(session, national_id))
    packet = Packet(station_id=principal.name, capture_id=capture_id, demographics=person,
                    face=await read_upload(face, "face", limit), fingers=fingers,
                    missing_fingers=parse_missing(missing_fingers))
    await run_in_threadpool(wait_ready, decider.gallery)
    decision = await run_in_threadpool(
        lambda: updates.update(session, national_id, packet, principal,
                               max_pixels=settings.max_image_pixels, decider=decider))
    return JSONResponse(decision.body, decision.status_code)
