"""Agencies, API keys, the hash-chained audit trail and the event outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    scopes: Mapped[list] = mapped_column(default=list)
    # Per-agency secret salt for subject pseudonyms (random, never shown).
    pseudonym_salt: Mapped[str] = mapped_column(String(64))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256(secret, key), hex
    role: Mapped[str] = mapped_column(String(16))  # station | agency | admin
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list] = mapped_column(default=list)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Append-only; each row carries the hash of the previous one (``hawiya audit verify``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(200))
    subject_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    person_id: Mapped[int | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class Event(Base):
    """The outbox: written in the same transaction as the change, read in id order."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    national_id: Mapped[str | None] = mapped_column(String(12))
    payload: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
