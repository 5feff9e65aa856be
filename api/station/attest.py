"""A packet's ``captures`` file → the capture-trust check, before the packet is decided."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from api.uploads import read_upload
from enrollment.devices import trust
from enrollment.packet import Packet
from identity.access.keys import Principal
from identity.platform.errors import Invalid


async def attest(request: Request, session: Session, principal: Principal, packet: Packet,
                 captures: UploadFile | None) -> list[trust.Checked]:
    """Check the signed/webcam origin of the packet's samples (``enrollment.devices.trust``).
    With ``HAWIYA_REQUIRE_ATTESTED_CAPTURES`` every sample must have one."""
    settings = request.app.state.settings
    raw = await read_upload(captures, "captures", trust.MAX_CAPTURES_BYTES)
    checked: list[trust.Checked] = []
    if raw is not None:
        window = trust.Window(timedelta(hours=settings.capture_max_age_hours),
                              timedelta(seconds=settings.capture_clock_skew_seconds))
        checked = await run_in_threadpool(
            lambda: trust.check(session, packet, raw, actor=principal.actor, window=window,
                                max_pixels=settings.max_image_pixels))
    if settings.require_attested_captures:
        sent = ({"face"} if packet.face is not None else set()) | \
            {f"finger_{p}" for p in packet.fingers}
        missing = sorted(sent - {c.sample for c in checked})
        if missing:
            raise Invalid(f"sample(s) {', '.join(missing)} carry no device signature or "
                          "webcam challenge", code="capture_unattested")
    return checked
