"""Batch imports of legacy registers: one job per (source, register), one row per source record.

A record's row is written in the same transaction as its identity decision (or its rejection),
so a job killed at any point and restarted skips exactly the records whose outcome committed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ImportJobStatus(StrEnum):
    """``import_jobs.status``: a job is running until every record of its source is decided."""

    RUNNING = "running"
    DONE = "done"


class ImportJob(Base):
    __tablename__ = "import_jobs"
    __table_args__ = (UniqueConstraint("source", "register"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1000))  # absolute path of the folder or CSV
    register: Mapped[str] = mapped_column(String(20))  # civil_status | nationality | ...
    kind: Mapped[str] = mapped_column(String(8))  # nist | csv
    status: Mapped[str] = mapped_column(String(16), default=ImportJobStatus.RUNNING.value)
    total: Mapped[int] = mapped_column(default=0)  # records found in the source at the last start
    # ISO start time of every run (a restart appends one): throughput is measured per run.
    run_starts: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ImportRecord(Base):
    __tablename__ = "import_records"
    __table_args__ = (UniqueConstraint("job_id", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(300))  # file path in the folder / CSV row
    legacy_number: Mapped[str | None] = mapped_column(String(64))
    # issued | matched | review | replayed | rejected
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(String(40))  # stable code of a rejection
    detail: Mapped[str | None] = mapped_column(Text)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("duplicate_cases.id"))
    best_llr: Mapped[float | None]  # fused LLR of the best candidate (None: no candidate)
    extract_s: Mapped[float] = mapped_column(default=0.0)  # worker time: read + decode + extract
    search_s: Mapped[float] = mapped_column(default=0.0)  # writer time in the 1:N search
    decide_s: Mapped[float] = mapped_column(default=0.0)  # writer time: decision + commit
    run: Mapped[int] = mapped_column(default=1)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
