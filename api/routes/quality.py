"""``POST /v1/quality``: a station checks samples against enrollment's quality gate while the
person is still at the desk (the same ``identity.biometrics.probes`` path enrollment uses)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import StationDep
from api.routes._station import Upload
from api.uploads import read_fingers, read_upload
from identity.biometrics import probes
from identity.platform.errors import Invalid

router = APIRouter(prefix="/v1", tags=["enrollment"])


class SampleQuality(BaseModel):
    sample: str = Field(description='"face" or "finger_N"')
    ok: bool
    reason: str | None = Field(default=None, description="why it fails the gate (stable code)")
    message: str | None = None


class QualityResponse(BaseModel):
    ok: bool = Field(description="every sample passes enrollment's quality gate")
    samples: list[SampleQuality]


def _check(face: bytes | None, fingers: dict[int, bytes], max_pixels: int) -> QualityResponse:
    sent = (["face"] if face is not None else []) + [f"finger_{p}" for p in sorted(fingers)]
    failures: dict[str, dict[str, str]] = {}
    try:
        probes.prepare(face, fingers, max_pixels=max_pixels)
    except Invalid as exc:
        if not isinstance(exc.details, list):
            raise
        failures = {f["sample"]: f for f in exc.details}
    return QualityResponse(ok=not failures, samples=[
        SampleQuality(sample=s, ok=s not in failures,
                      reason=failures[s]["reason"] if s in failures else None,
                      message=failures[s]["message"] if s in failures else None) for s in sent])


@router.post(
    "/quality", response_model=QualityResponse,
    summary="Check samples against the enrollment quality gate (nothing is stored)",
    responses={413: {"description": "file too large"}, 415: {"description": "wrong type"},
               422: {"description": "no sample sent"}},
)
async def post_quality(
    request: Request, principal: StationDep,
    face: Annotated[UploadFile | None, File(description="JPEG or PNG face image")] = None,
    finger_1: Upload = None, finger_2: Upload = None, finger_3: Upload = None,
    finger_4: Upload = None, finger_5: Upload = None, finger_6: Upload = None,
    finger_7: Upload = None, finger_8: Upload = None, finger_9: Upload = None,
    finger_10: Upload = None,
) -> QualityResponse:
    settings = request.app.state.settings
    limit = settings.max_image_bytes
    fingers = await read_fingers([finger_1, finger_2, finger_3, finger_4, finger_5, finger_6,
                                  finger_7, finger_8, finger_9, finger_10], limit)
    face_bytes = await read_upload(face, "face", limit)
    return await run_in_threadpool(_check, face_bytes, fingers, settings.max_image_pixels)
