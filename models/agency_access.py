"""Agency access state: failed-verify counters and locks, and webhook delivery cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class VerifyLock(Base):
    """Consecutive failed verifies of one person by one agency, and the lock they caused."""

    __tablename__ = "verify_locks"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerifyPersonLock(Base):
    """Consecutive failed verifies of one person by all agencies together, and the lock they
    caused (every agency is refused while it holds): N agencies never get N times the guesses."""

    __tablename__ = "verify_person_locks"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookCursor(Base):
    """How far an agency's webhook has been delivered, and when the next try is due."""

    __tablename__ = "webhook_cursors"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
