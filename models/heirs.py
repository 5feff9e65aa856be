"""Heirs reports prepared for the inheritance deed (stored as answered, read back by id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class HeirsReport(Base):
    __tablename__ = "heirs_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public id ("hr_" + 16 hex digits): random, so one agency cannot count another's reports.
    report_id: Mapped[str] = mapped_column(String(24), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency_name: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(120))
    deceased_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    case_reference: Mapped[str | None] = mapped_column(String(64))
    # The claim as sent, probes replaced by the modalities sent (no image is stored).
    claim: Mapped[dict] = mapped_column(default=dict)
    # The answer exactly as returned to the agency.
    report: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
