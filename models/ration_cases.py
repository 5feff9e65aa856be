"""Decisions the ministry's staff take on a ration card: appeal decisions that hold, and the
proposals life events raise (a new head after a death, a newborn, a spouse moving on marriage)
with the staff task each one is."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ProposalState(StrEnum):
    """``ration_proposals.state``: open → confirmed | dismissed, or void (event reversed)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    VOID = "void"


class Appeal(Base):
    """An upheld appeal against a block. It holds while the source data it was decided on is
    unchanged (``signature``: a digest of the decisive figures, never their dates) and, when
    given, until ``holds_until``; ``ended_at`` is set when it stops holding."""

    __tablename__ = "ration_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("ration_blocks.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("ration_households.id"),
                                                     index=True)
    category: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str | None] = mapped_column(String(64))
    holds_until: Mapped[date | None]
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(200))


class Proposal(Base):
    """A change a life event proposes for a card, and the staff task deciding it.

    kinds: ``new_head`` (the head died: ``person_id`` is the proposed head), ``add_newborn``,
    ``move_spouse`` (from ``from_household_id``), ``add_spouse``, ``return_after_divorce``.
    states: open → confirmed | dismissed, or void (the event was reversed)."""

    __tablename__ = "ration_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("ration_households.id"), index=True)
    from_household_id: Mapped[int | None] = mapped_column(ForeignKey("ration_households.id"),
                                                          index=True)
    kind: Mapped[str] = mapped_column(String(24))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # The person the event was about (the deceased head, the mother, the husband).
    about_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    event_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(12), default=ProposalState.OPEN.value, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(500))
