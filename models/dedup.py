"""Duplicate cases: packets the matcher could not decide alone, with their ranked candidates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class DuplicateCase(Base):
    __tablename__ = "duplicate_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The held packet (no ID yet) — or, for a case between two issued persons, an enrollment
    # of one of them (one enrollment can be the packet side of several such cases).
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    station_id: Mapped[str] = mapped_column(String(64), index=True)
    birthplace: Mapped[str] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | decided
    best_llr: Mapped[float]
    band: Mapped[str] = mapped_column(String(16))
    # P(the packet is someone on file) when the case opened (matching.posterior).
    p_existing: Mapped[float | None]
    decision: Mapped[str | None] = mapped_column(String(16))  # same | different | fraud
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateCandidate(Base):
    __tablename__ = "duplicate_candidates"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),
                      UniqueConstraint("case_id", "held_enrollment_id",
                                       name="uq_duplicate_candidates_case_id_held"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("duplicate_cases.id"), index=True)
    # A candidate is a person, or a packet still held for review (no ID yet): exactly one.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    held_enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"))
    rank: Mapped[int]
    llr: Mapped[float]  # biometric (fused face + fingers)
    demographic_llr: Mapped[float] = mapped_column(default=0.0)
    posterior: Mapped[float] = mapped_column(default=0.0)  # P(the packet is this candidate)
    identical: Mapped[bool] = mapped_column(default=False)  # a near-identical template
    band: Mapped[str] = mapped_column(String(16))
    face_distance: Mapped[float | None]
    # {"3": 0.41, ...}: finger position -> LSS-R score
    finger_scores: Mapped[dict] = mapped_column(default=dict)


class DistinctPair(Base):
    """Two persons an adjudicator declared different: never raised as a case again."""

    __tablename__ = "distinct_pairs"
    __table_args__ = (UniqueConstraint("person_low", "person_high"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_low: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    person_high: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
