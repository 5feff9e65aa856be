"""What the station routes share: the answer's shape, the demographics form field (parsed by
``enrollment.packet.parse_demographics``), the wait for the gallery, and running a decision off
the event loop."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import File, UploadFile
from pydantic import BaseModel

from enrollment.packet import parse_demographics as parse_demographics
from identity.biometrics.gallery import GalleryEngine
from identity.platform.errors import DomainError

GALLERY_WAIT_S = 60.0
Upload = Annotated[UploadFile | None, File(description="PNG, TIFF or WSQ finger image")]


class NotReady(DomainError):
    status_code = 503
    code = "not_ready"


def wait_ready(gallery: GalleryEngine) -> None:
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
