"""Packet → decision → committed records. The one writer that decides identity.

Decisions are serialized: a process-wide lock plus the database's own (an advisory lock on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so two packets of one person arriving together are
decided one after the other and give one ID. Vectors reach the in-memory indexes only after
the commit (``post_commit``) and before the lock is released. The in-memory gallery makes this
process the one writer that decides identity: run one enrollment process per gallery.
"""

from __future__ import annotations

import threading

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment import dedup
from enrollment.extract import extract
from enrollment.packet import Packet, check_accounted
from enrollment.records import Outcome
from identity.access.keys import Principal
from identity.biometrics.gallery import Gallery
from identity.platform.errors import Conflict
from models.enrollment import Enrollment

decision_lock = threading.Lock()
_PG_DEDUP_LOCK = 7_401_124


def _replay(existing: Enrollment, packet_hash: str) -> Outcome:
    if existing.content_hash != packet_hash:
        raise Conflict("capture_id was already used for a different packet",
                       code="capture_id_conflict")
    return Outcome(200, dict(existing.response))


def _find(session: Session, packet: Packet) -> Enrollment | None:
    return session.scalars(
        select(Enrollment).where(Enrollment.station_id == packet.station_id,
                                 Enrollment.capture_id == packet.capture_id)
    ).first()


def lock_decisions(session: Session) -> None:
    """Take the database side of the decision lock (PostgreSQL advisory lock; on SQLite the
    transaction's BEGIN IMMEDIATE already holds the write lock). Hold ``decision_lock`` too."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_DEDUP_LOCK})


def enroll(session: Session, packet: Packet, principal: Principal, *, max_pixels: int,
           gallery: Gallery) -> Outcome:
    check_accounted(packet)
    packet_hash = packet.content_hash()
    existing = _find(session, packet)
    if existing is not None:
        return _replay(existing, packet_hash)
    session.rollback()  # extraction is slow: hold no transaction (nor SQLite's lock) meanwhile

    extracted = extract(packet, max_pixels=max_pixels)

    with decision_lock:
        try:
            lock_decisions(session)
            existing = _find(session, packet)
            if existing is not None:
                return _replay(existing, packet_hash)
            enrollment = Enrollment(
                station_id=packet.station_id, capture_id=packet.capture_id,
                content_hash=packet_hash, status="pending",
                demographics=packet.demographics.model_dump(mode="json"),
                missing_fingers={str(k): v for k, v in packet.missing_fingers.items()},
                source="station",
            )
            session.add(enrollment)
            session.flush()
            outcome = dedup.decide_and_record(session, enrollment, packet, extracted,
                                              actor=principal.actor, gallery=gallery)
            enrollment.response = outcome.body
            session.commit()
            # Still under the decision lock: the next packet's search must see these vectors.
            for hook in outcome.post_commit:
                hook()
        except IntegrityError:
            session.rollback()
            existing = _find(session, packet)
            if existing is None:
                raise
            return _replay(existing, packet_hash)
        except BaseException:
            session.rollback()
            raise
    return Outcome(outcome.status_code, outcome.body)
