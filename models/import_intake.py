"""What an import keeps beside its records: records held for a clerk, and flags on cards.

A record whose demographics are incomplete is held (``ImportHold``) instead of rejected: the
clerk completes it (``hawiya import-complete``) and the next run of the same import decides
it with the completed items. A flag (``ImportFlag``) notes something about a card that does
not stop it: rolls that disagree with the card's plain impressions, names transliterated
from Latin script (the names as given are kept in ``detail``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ImportHold(Base):
    __tablename__ = "import_holds"
    __table_args__ = (UniqueConstraint("job_id", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(300))
    legacy_number: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))  # incomplete_demographics
    missing: Mapped[list] = mapped_column(default=list)  # demographic items to complete
    as_read: Mapped[dict] = mapped_column(default=dict)  # the items the file gave
    completed: Mapped[dict] = mapped_column(default=dict)  # the clerk's items
    status: Mapped[str] = mapped_column(String(16), default="held")  # held|completed|imported
    clerk: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]


class ImportFlag(Base):
    __tablename__ = "import_flags"
    __table_args__ = (UniqueConstraint("job_id", "record_key", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(40))  # finger_order_mismatch | names_transliterated
    detail: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
