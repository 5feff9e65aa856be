"""A station's packet → extraction → the decision unit → committed records.

The replay check runs first: a retried ``capture_id`` answers the stored decision without
extracting again. Extraction is slow and holds no transaction (nor SQLite's write lock); the
decision itself runs in ``Decider.run`` (serialized, committed, then indexed).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment import dedup, exceptions
from enrollment.decider import Decider, Decision, Status
from enrollment.packet import Packet, check_accounted
from identity.access.keys import Principal
from identity.biometrics import probes
from identity.platform.errors import Conflict
from models.enrollment import Enrollment


def find_enrollment(session: Session, station_id: str, capture_id: str) -> Enrollment | None:
    return session.scalars(select(Enrollment).where(Enrollment.station_id == station_id,
                                                    Enrollment.capture_id == capture_id)).first()


def replay(existing: Enrollment, packet: Packet) -> Decision:
    """The stored answer to a retried capture; other content under its capture_id is a 409."""
    if existing.content_hash != packet.content_hash():
        raise Conflict("capture_id was already used for a different packet",
                       code="capture_id_conflict")
    return Decision(200, dict(existing.response))


def new_enrollment(packet: Packet, *, source: str, kind: str) -> Enrollment:
    return Enrollment(
        station_id=packet.station_id, capture_id=packet.capture_id,
        content_hash=packet.content_hash(), status=Status.PENDING, kind=kind,
        demographics=packet.demographics.model_dump(mode="json"),
        missing_fingers={str(k): v for k, v in packet.missing_fingers.items()},
        source=source,
    )


def enroll(session: Session, packet: Packet, principal: Principal, *, max_pixels: int,
           decider: Decider, today: date | None = None) -> Decision:
    """Decide a station's packet (commits): 201 issued, 200 matched or replayed, 202 review.
    A weak adult packet needs its exception (``enrollment.exceptions``)."""
    check_accounted(packet)
    existing = find_enrollment(session, packet.station_id, packet.capture_id)
    if existing is not None:
        return replay(existing, packet)
    approved = exceptions.check(session, packet, principal, max_pixels=max_pixels,
                                today=today or date.today())
    session.rollback()  # extraction is slow: hold no transaction (nor SQLite's lock) meanwhile

    probe = probes.prepare(packet.face, packet.fingers, max_pixels=max_pixels)

    def decide(s: Session) -> Decision:
        found = find_enrollment(s, packet.station_id, packet.capture_id)
        if found is not None:  # the same capture decided meanwhile (a concurrent retry)
            return replay(found, packet)
        enrollment = new_enrollment(packet, source="station", kind=dedup.packet_kind(probe))
        s.add(enrollment)
        s.flush()
        if approved is not None:
            exceptions.record(s, enrollment, packet, approved, principal)
        decision = dedup.decide_packet(s, enrollment, packet, probe, actor=principal.actor,
                                       gallery=decider.gallery)
        enrollment.response = decision.body
        return decision

    try:
        return decider.run(session, decide)
    except IntegrityError:  # another process committed the same capture first
        found = find_enrollment(session, packet.station_id, packet.capture_id)
        if found is None:
            raise
        return replay(found, packet)
