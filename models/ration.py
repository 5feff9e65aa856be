"""The ration-card aggregate (Ministry of Trade): households and their members, agents,
eligibility rules and blocks with the feed rows that caused them, distribution rounds and
receipts, and "Raqibni" complaints.

The one-card rule and the one-receipt-per-card-and-round rule are database constraints (partial
unique indexes / unique constraints), so they hold under concurrent writers on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class CardStatus(StrEnum):
    """``ration_households.status``: a ration card in use, or closed."""

    ACTIVE = "active"
    CLOSED = "closed"


class ComplaintState(StrEnum):
    """``ration_complaints.state`` (and each step's): filed → routed → answered → closed, with
    escalations (``agencies.ration.complaints.TRANSITIONS``)."""

    FILED = "filed"
    ROUTED = "routed"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    CLOSED = "closed"


class RationAgent(Base):
    """A licensed agent: an agency key of the ministry registered with its licence number."""

    __tablename__ = "ration_agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence: Mapped[str] = mapped_column(String(32), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), unique=True)
    governorate: Mapped[str] = mapped_column(String(50))
    centre: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Household(Base):
    __tablename__ = "ration_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16), unique=True)
    governorate: Mapped[str] = mapped_column(String(50), index=True)
    centre: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("ration_agents.id"))
    status: Mapped[str] = mapped_column(String(16), default=CardStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Member(Base):
    """A person's membership of a card; ``left_at`` set = history (transfer, removal)."""

    __tablename__ = "ration_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("ration_households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # head | member
    authorised: Mapped[bool] = mapped_column(default=False)  # may collect for the card
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    left_reason: Mapped[str | None] = mapped_column(String(200))
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("ration_households.id"))


# The one-card rule: at most one open membership per person (a race gives an IntegrityError).
Index("uq_ration_members_active_person", Member.person_id, unique=True,
      sqlite_where=text("left_at IS NULL"), postgresql_where=text("left_at IS NULL"))


class HouseholdMove(Base):
    """History of a card's registration centre, governorate and agent."""

    __tablename__ = "ration_household_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("ration_households.id"), index=True)
    from_centre: Mapped[str] = mapped_column(String(64))
    to_centre: Mapped[str] = mapped_column(String(64))
    from_governorate: Mapped[str] = mapped_column(String(50))
    to_governorate: Mapped[str] = mapped_column(String(50))
    from_agent_id: Mapped[int | None] = mapped_column(ForeignKey("ration_agents.id"))
    to_agent_id: Mapped[int | None] = mapped_column(ForeignKey("ration_agents.id"))
    reason: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Rule(Base):
    """One version of an exclusion rule; versions of a category do not overlap in time."""

    __tablename__ = "ration_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    # household_if_head: blocks the whole card when it hits the head, else the member only.
    scope: Mapped[str] = mapped_column(String(20))
    temporary: Mapped[bool] = mapped_column(default=False)
    # Income rules: blocked when strictly above (IQD).
    threshold_iqd: Mapped[int | None] = mapped_column(BigInteger)
    min_days: Mapped[int | None]  # abroad: blocked after this many days away
    max_grade: Mapped[int | None]  # contractors: grades 1..max_grade are blocked
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    basis: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedBatch(Base):
    __tablename__ = "ration_feed_batches"
    __table_args__ = (UniqueConstraint("agency", "kind", "batch_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    batch_ref: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    response: Mapped[dict] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedRow(Base):
    __tablename__ = "ration_feed_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ration_feed_batches.id"), index=True)
    row_no: Mapped[int]
    national_id: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    data: Mapped[dict] = mapped_column(default=dict)
    outcome: Mapped[str] = mapped_column(String(24))
    # What the row is a fact about ("income:payroll:<agency>", "travel", ...) and the date it
    # speaks of: per person and stream the row with the latest reference date decides.
    stream: Mapped[str | None] = mapped_column(String(160))
    ref_date: Mapped[date | None]


Index("ix_ration_feed_rows_person_stream", FeedRow.person_id, FeedRow.stream, FeedRow.ref_date)


class Block(Base):
    """An exclusion of one person, or of a whole card (``household_id``: the household's total
    income); lifted (never deleted) by a feed row, an event or an appeal."""

    __tablename__ = "ration_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("ration_households.id"),
                                                     index=True)
    category: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(20))
    temporary: Mapped[bool] = mapped_column(default=False)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("ration_rules.id"))
    starts_on: Mapped[date]
    feed_row_id: Mapped[int | None] = mapped_column(ForeignKey("ration_feed_rows.id"))
    event_id: Mapped[int | None]  # the outbox event (death.recorded) that caused it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(16))  # feed|event|appeal|membership
    lift_reason: Mapped[str | None] = mapped_column(String(500))
    lift_feed_row_id: Mapped[int | None] = mapped_column(ForeignKey("ration_feed_rows.id"))
    lift_event_id: Mapped[int | None]
    lifted_actor: Mapped[str | None] = mapped_column(String(120))
    # The figures the decision was taken on (income totals and the rows that make them).
    details: Mapped[dict | None]


# At most one open block per person (or card) and category: concurrent feeds cannot double it.
Index("uq_ration_blocks_open", Block.person_id, Block.category, unique=True,
      sqlite_where=text("lifted_at IS NULL"), postgresql_where=text("lifted_at IS NULL"))
Index("uq_ration_blocks_open_household", Block.household_id, Block.category, unique=True,
      sqlite_where=text("lifted_at IS NULL AND household_id IS NOT NULL"),
      postgresql_where=text("lifted_at IS NULL AND household_id IS NOT NULL"))


class Cursor(Base):
    """A durable position in the identity event feed (the life-events consumer)."""

    __tablename__ = "ration_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Round(Base):
    __tablename__ = "ration_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundItem(Base):
    __tablename__ = "ration_round_items"
    __table_args__ = (UniqueConstraint("round_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("ration_rounds.id"), index=True)
    item: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(8))  # g | ml | pcs
    per_person: Mapped[int]


class Receipt(Base):
    __tablename__ = "ration_receipts"
    # One receipt per card and round: the second writer gets an IntegrityError → 409.
    __table_args__ = (UniqueConstraint("household_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("ration_households.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("ration_rounds.id"), index=True)
    collector_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("ration_agents.id"), index=True)
    eligible_members: Mapped[int]
    items: Mapped[list] = mapped_column(default=list)  # [{item, unit, quantity}]
    modalities: Mapped[list] = mapped_column(default=list)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Complaint(Base):
    """A Raqibni complaint. Filed by the ministry's portal for a named citizen (``person_id``)
    or by a citizen on the public page (no person: only what the complaint needs is kept)."""

    __tablename__ = "ration_complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(16), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    about: Mapped[str] = mapped_column(String(8))  # item | agent | receipt | missing
    item: Mapped[str | None] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("ration_agents.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("ration_rounds.id"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("ration_receipts.id"))
    text: Mapped[str] = mapped_column(String(2000))
    state: Mapped[str] = mapped_column(String(12))
    routed_to: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(8), default="portal")  # portal | public
    # The public page's proof-of-work challenge, spent once (a replay is a unique violation).
    challenge: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplaintPhoto(Base):
    """The optional photo of a complaint, decoded strictly and re-encoded (no metadata kept)."""

    __tablename__ = "ration_complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("ration_complaints.id"), unique=True)
    media_type: Mapped[str] = mapped_column(String(16))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ComplaintStep(Base):
    __tablename__ = "ration_complaint_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("ration_complaints.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(1000))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)
