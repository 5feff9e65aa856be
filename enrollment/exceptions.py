"""Weak packets are an exception, not a route.

An adult's packet (``child.adult_age`` or older on the capture day) with fewer usable fingers
than can decide identity (``exception.min_fingers``) is accepted only as an exception: every
finger position accounted for (sent, or declared missing with its reason), a photo of the hands
showing the missing fingers, and the approval of a second operator of the same station — a
different, valid station key with the same station name, presented as ``approver_key``. The
exception is recorded on the enrollment (photo stored encrypted as a ``hands`` sample) and
audited with both operators; ``report`` gives each station's exception rate, so a station that
declares many fingers missing stands out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enrollment.packet import FINGER_POSITIONS, Packet
from identity.access import journal
from identity.access.keys import Principal, authenticate
from identity.biometrics import templates
from identity.platform.errors import DomainError, Forbidden, Invalid
from identity.platform.media import FACE_TYPES, DecodedImage, decode
from matching import thresholds
from models.enrollment import Enrollment


@dataclass(frozen=True)
class Approved:
    photo: bytes
    image: DecodedImage
    approver: Principal


def needed(packet: Packet, today: date) -> bool:
    adult = packet.age_on(today) >= thresholds.value("child.adult_age")
    return adult and len(packet.fingers) < thresholds.value("exception.min_fingers")


def check(session: Session, packet: Packet, principal: Principal, *, max_pixels: int,
          today: date) -> Approved | None:
    """The approved exception of a weak adult packet (None when the packet needs none).

    Raises ``Invalid`` (422 ``exception_required``) when the photo, the approver or a finger's
    reason is missing, ``Forbidden`` (403 ``approver_invalid``) when the approver is not a
    second operator of this station. Reads keys only; writes nothing.
    """
    if not needed(packet, today):
        return None
    need = int(thresholds.value("exception.min_fingers"))
    unaccounted = [p for p in FINGER_POSITIONS
                   if p not in packet.fingers and p not in packet.missing_fingers]
    missing = [name for name, value in (("exception_photo", packet.exception_photo),
                                        ("approver_key", packet.approver_key)) if not value]
    if unaccounted or missing:
        raise Invalid(f"an adult packet with fewer than {need} fingers is an exception: every "
                      "finger sent or declared missing with its reason, a photo of the hands "
                      "and a second operator's approval", code="exception_required",
                      details={"usable_fingers": len(packet.fingers), "min_fingers": need,
                               "unaccounted_fingers": unaccounted, "missing_fields": missing})
    assert packet.exception_photo is not None and packet.approver_key is not None
    image = decode(packet.exception_photo, FACE_TYPES, max_pixels=max_pixels, grey=False)
    try:
        approver = authenticate(session, packet.approver_key)
    except DomainError:
        approver = None
    if (approver is None or approver.role != "station" or approver.name != principal.name
            or approver.key_id == principal.key_id):
        raise Forbidden("the approver must be another operator (a different, valid station "
                        "key) of the same station", code="approver_invalid")
    return Approved(packet.exception_photo, image, approver)


def record(session: Session, enrollment: Enrollment, packet: Packet, approved: Approved,
           principal: Principal) -> None:
    """Store the photo and the approval on the enrollment and audit it (no commit)."""
    sample = templates.store_photo(session, enrollment.id, "hands", approved.photo,
                                   approved.image)
    enrollment.exception = {
        "approver": approved.approver.actor, "approver_key_id": approved.approver.key_id,
        "photo_sample_id": sample.id, "usable_fingers": len(packet.fingers),
        "missing": {str(k): v for k, v in sorted(packet.missing_fingers.items())}}
    journal.audit(session, actor=principal.actor, action="enrollment.exception",
                  outcome="approved",
                  details={"enrollment_id": enrollment.id, "approver": approved.approver.actor,
                           "usable_fingers": len(packet.fingers),
                           "missing": enrollment.exception["missing"]})


class StationExceptions(TypedDict):
    station_id: str
    packets: int
    exceptions: int
    exception_rate: float
    missing_reasons: dict[str, int]


def report(session: Session, since: datetime | None = None) -> list[StationExceptions]:
    """Per station: packets, exceptions (weak adult packets) and their rate, and the missing-
    finger reasons they declared; highest rate first."""
    q = select(Enrollment.station_id, func.count()).group_by(Enrollment.station_id)
    if since is not None:
        q = q.where(Enrollment.created_at >= since)
    totals = dict(session.execute(q).all())
    rows = select(Enrollment.station_id, Enrollment.exception).where(
        Enrollment.exception.is_not(None))
    if since is not None:
        rows = rows.where(Enrollment.created_at >= since)
    reasons: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    for station, exc in session.execute(rows).all():
        if not exc:
            continue
        counts[station] += 1
        reasons.setdefault(station, Counter()).update((exc.get("missing") or {}).values())
    out: list[StationExceptions] = [{"station_id": s, "packets": int(n), "exceptions": counts[s],
            "exception_rate": round(counts[s] / n, 4) if n else 0.0,
            "missing_reasons": dict(reasons.get(s, {}))} for s, n in totals.items()]
    return sorted(out, key=lambda r: (-r["exception_rate"], r["station_id"]))
