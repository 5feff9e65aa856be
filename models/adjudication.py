"""Adjudication: admins' decisions on duplicate cases, merge records (for unmerge), and the
workbench's server-side sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class MergeStatus(StrEnum):
    """``merge_records.status``: in force, or reversed by an unmerge."""

    MERGED = "merged"
    UNMERGED = "unmerged"


class CaseDecision(Base):
    """One admin's decision on a case. Under the two-admin rule a merge is first ``proposed``
    and ``applied`` when a different admin confirms it; other decisions are applied at once."""

    __tablename__ = "case_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("duplicate_cases.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # same | different | fraud
    reason_code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(2000), default="")
    # The candidate the packet was judged to be (same person), when there is one.
    target_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    status: Mapped[str] = mapped_column(String(16))  # proposed | applied | superseded
    proposed_by: Mapped[str] = mapped_column(String(120))
    proposed_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    confirmed_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # What the decision did: {"national_id": ..., "merge_id": ..., ...}
    result: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]


class MergeRecord(Base):
    """A merge of ``absorbed`` into ``survivor``, with every row it moved, so that an unmerge
    restores both persons exactly (``moved``: [{"table", "column", "pk": {col: value}}])."""

    __tablename__ = "merge_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    absorbed_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("duplicate_cases.id"))
    survivor_national_id: Mapped[str] = mapped_column(String(12))
    absorbed_national_id: Mapped[str] = mapped_column(String(12))
    national_ids: Mapped[list] = mapped_column(default=list)  # IDs moved to the survivor
    moved: Mapped[list] = mapped_column(default=list)
    absorbed_before: Mapped[dict] = mapped_column(default=dict)  # status, merged_into_id
    status: Mapped[str] = mapped_column(String(16), default=MergeStatus.MERGED.value)
    merged_by: Mapped[str] = mapped_column(String(120))
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    unmerged_by: Mapped[str | None] = mapped_column(String(120))
    unmerge_reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    unmerged_at: Mapped[datetime | None]


class AdminSession(Base):
    """A workbench sign-in: the cookie carries a random token; only its keyed hash is stored."""

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
