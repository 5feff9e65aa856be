"""``POST /v1/verify``: an agency checks a live capture against a national ID (scope verify)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import SessionDep, VerifyAgencyDep
from api.ratelimit import agency_limit
from api.uploads import read_fingers, read_upload
from identity.access import agencies
from identity.biometrics.agency_verify import VerifyRequest, verify_for_agency
from identity.biometrics.liveness import MAX_FRAMES
from identity.platform.errors import TooLarge

router = APIRouter(prefix="/v1", tags=["agency"])

Upload = Annotated[UploadFile | None, File(description="PNG, TIFF or WSQ finger image")]
MAX_FILES = 11  # a face and ten fingers
MAX_FIELDS = 16


class VerifyResponse(BaseModel):
    """The whole answer an agency gets: no score, template, image or demographics."""

    match: bool
    decision_band: str = Field(description="match, review or no_match")
    modalities_used: list[str] = Field(description='"face" and/or "finger_N" compared')
    life_status: str
    checked_at: datetime
    transaction_id: str = Field(description="quote it when asking about this check")
    subject_ref: str = Field(description="this agency's own stable pseudonym for the person")


@router.post(
    "/verify", response_model=VerifyResponse, summary="1:1 verify a live capture against an ID",
    responses={404: {"description": "unknown national ID"},
               413: {"description": "file or request too large, or too many files"},
               415: {"description": "unsupported image type"},
               422: {"description": "bad ID, undecodable image or failed quality"},
               429: {"description": "rate limited, or this ID is locked after failures"}},
)
async def post_verify(
    request: Request,
    principal: VerifyAgencyDep,
    session: SessionDep,
    national_id: Annotated[str, Form(min_length=1, max_length=12,
                                     description="12-digit national ID (aliases resolve)")],
    purpose: Annotated[str | None, Form(max_length=200)] = None,
    face: Annotated[UploadFile | None, File(description="JPEG or PNG face image")] = None,
    finger_1: Upload = None, finger_2: Upload = None, finger_3: Upload = None,
    finger_4: Upload = None, finger_5: Upload = None, finger_6: Upload = None,
    finger_7: Upload = None, finger_8: Upload = None, finger_9: Upload = None,
    finger_10: Upload = None,
    face_frames: Annotated[list[UploadFile] | None, File(
        description="the liveness challenge's JPEG/PNG frames (look, turn left and right, "
                    "blink); the first is the face compared when no face is sent")] = None,
) -> VerifyResponse:
    agency_limit(request, principal)
    settings = request.app.state.settings
    form = await request.form()
    files = [k for k, v in form.multi_items() if not isinstance(v, str)]
    frame_count = sum(1 for k in files if k == "face_frames")
    if len(form) > MAX_FIELDS or len(files) - frame_count > MAX_FILES or \
            frame_count > MAX_FRAMES:
        raise TooLarge(f"at most {MAX_FILES} files and {MAX_FRAMES} frames per request",
                       code="too_many_files")
    limit = settings.max_image_bytes
    uploads = [finger_1, finger_2, finger_3, finger_4, finger_5, finger_6, finger_7, finger_8,
               finger_9, finger_10]
    fingers = await read_fingers(uploads, limit)
    frames = tuple([b for f in face_frames or [] if (b := await read_upload(f, "frame", limit))])
    face_bytes = await read_upload(face, "face", limit) or (frames[0] if frames else None)
    req = VerifyRequest(national_id=national_id, face=face_bytes, fingers=fingers,
                        purpose=purpose, face_frames=frames)
    policy = agencies.LockPolicy(settings.verify_lock_failures, settings.verify_lock_seconds)
    answer = await run_in_threadpool(
        lambda: verify_for_agency(session=session, principal=principal, request=req,
                                  max_pixels=settings.max_image_pixels, policy=policy))
    return VerifyResponse(**answer.__dict__)
