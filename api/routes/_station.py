"""What the station routes share: the answer's shape, the demographics form field, the wait
for the gallery, and running a decision off the event loop."""

from __future__ import annotations

import json
import time
from typing import Annotated

from fastapi import File, UploadFile
from pydantic import BaseModel, ValidationError

from identity.biometrics.gallery import Gallery
from identity.platform.errors import DomainError, Invalid
from identity.registry.schemas import Demographics

GALLERY_WAIT_S = 60.0
Upload = Annotated[UploadFile | None, File(description="PNG, TIFF or WSQ finger image")]


class NotReady(DomainError):
    status_code = 503
    code = "not_ready"


def wait_ready(gallery: Gallery) -> None:
    """Block (in a worker thread) until the gallery is loaded; 503 ``not_ready`` after a minute."""
    deadline = time.monotonic() + GALLERY_WAIT_S
    while not gallery.ready and time.monotonic() < deadline:
        time.sleep(0.05)
    if not gallery.ready:
        raise NotReady("the gallery is still loading; retry shortly", code="not_ready")


class EnrollmentResponse(BaseModel):
    enrollment_id: int
    status: str  # enrollment.decider.Status: issued | matched | review | updated | fraud
    national_id: str | None = None
    case_id: int | None = None
    fraud_flag: bool | None = None


def parse_demographics(raw: str) -> Demographics:
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
