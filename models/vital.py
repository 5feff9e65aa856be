"""Vital records: deaths (with provenance and reversals), births (parentage) and marriages.

Relations beyond parent/child and spouse (siblings, grandparents, uncles, nephews) are never
stored: ``identity.registry.kinship`` derives them from these links.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.person import Person


class DeathRecord(Base):
    """One report of a death by one agency and document.

    The first accepted report of a death is the primary record; a report from another source
    while the person is recorded dead is attached to it (``attached_to_id``), never a second
    death. A reversal (court judgment) reverses the primary record and everything attached.
    """

    __tablename__ = "death_records"
    __table_args__ = (UniqueConstraint("agency_id", "document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public acknowledgement id the reporting agency keeps ("dr_" + 16 hex digits).
    ack_id: Mapped[str] = mapped_column(String(24), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    reported_national_id: Mapped[str] = mapped_column(String(12))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agency_name: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(120))
    # hospital_certificate | forensic_report | court_judgment | court_proof_of_death |
    # consular_report
    source_type: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str] = mapped_column(String(64))
    # First day of the period when the precision is month or year.
    date_of_death: Mapped[date]
    date_precision: Mapped[str] = mapped_column(String(8))  # day | month | year
    place: Mapped[str] = mapped_column(String(200))
    cause_code: Mapped[str | None] = mapped_column(String(8))
    attached_to_id: Mapped[int | None] = mapped_column(ForeignKey("death_records.id"))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | reversed
    # SHA-256 of the canonical request: a replay with other content is a conflict.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeathReversal(Base):
    """A court judgment that a recorded death was in error (the records are kept, reversed)."""

    __tablename__ = "death_reversals"

    id: Mapped[int] = mapped_column(primary_key=True)
    death_record_id: Mapped[int] = mapped_column(ForeignKey("death_records.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    judgment_reference: Mapped[str] = mapped_column(String(64))
    court: Mapped[str | None] = mapped_column(String(200))
    judgment_date: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agency_name: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Birth(Base):
    """Parentage of one child: the mother and/or the father, with the record it came from."""

    __tablename__ = "births"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    mother_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    father_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    # birth_certificate | civil_registry | court_judgment | legacy_import
    source: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Marriage(Base):
    """A marriage contract, its personal-status regime and, once over, its end."""

    __tablename__ = "marriages"
    __table_args__ = (UniqueConstraint("husband_id", "wife_id", "contract_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    husband_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    wife_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    contract_date: Mapped[date]
    # statute (PSL 188/1959) | jafari (elected at registration, Law 1/2025)
    regime: Mapped[str] = mapped_column(String(16))
    end_date: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(16))  # divorce | death | annulment
    source: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_death_records_attached", DeathRecord.attached_to_id)
# Kinship reads every link through merges (persons merged into this one): without this index
# each lookup scans the persons table.
Index("ix_persons_merged_into", Person.merged_into_id)
