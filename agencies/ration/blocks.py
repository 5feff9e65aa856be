"""Blocks: open and lift. A block names one person, or a whole card (``household_id``: the
household's total income). Every change is an outbox event (``ration.blocked`` /
``ration.unblocked``) written with ``journal.emit`` in the caller's transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration.rules import category
from identity.access import journal
from identity.platform.errors import NotFound
from identity.registry import persons
from models.base import utcnow
from models.ration import Block, Household, Rule


def open_block(session: Session, person_id: int | None, category_name: str, *,
               household_id: int | None = None) -> Block | None:
    """The open block of a person (or, with ``household_id``, of a card) in a category."""
    subject = (Block.household_id == household_id if household_id is not None
               else Block.person_id == person_id)
    return session.scalars(select(Block).where(subject, Block.category == category_name,
                                               Block.lifted_at.is_(None))).first()


def subject_national_id(session: Session, block: Block) -> str | None:
    """The person's national ID (for a card's block: its head's)."""
    if block.person_id is not None:
        return persons.resolve_person(session, block.person_id).national_id
    return None


def _event_body(session: Session, block: Block) -> dict[str, object]:
    card = session.get(Household, block.household_id) if block.household_id else None
    return {"block_id": block.id, "category": block.category, "scope": block.scope,
            "temporary": block.temporary, "starts_on": block.starts_on.isoformat(),
            "feed_row_id": block.feed_row_id, "event_id": block.event_id,
            "card_number": card.card_number if card else None}


def place(session: Session, *, person_id: int | None, category_name: str, starts_on: date,
          rule: Rule | None, feed_row_id: int | None = None, event_id: int | None = None,
          household_id: int | None = None, details: dict[str, Any] | None = None
          ) -> Block | None:
    """Open a block (no commit); None when one is already open for this subject and category."""
    if open_block(session, person_id, category_name, household_id=household_id) is not None:
        return None
    known = category(category_name)
    # Categories sharing a rule (household income, a member's own income) keep their own scope.
    scope = rule.scope if rule is not None and known.rule is None else known.scope
    block = Block(person_id=person_id if household_id is None else None,
                  household_id=household_id, category=category_name, scope=scope,
                  temporary=rule.temporary if rule is not None else known.temporary,
                  rule_id=rule.id if rule is not None else None, starts_on=starts_on,
                  feed_row_id=feed_row_id, event_id=event_id, details=details)
    session.add(block)
    session.flush()
    journal.emit(session, "ration.blocked", subject_national_id(session, block),
                 _event_body(session, block))
    return block


def lift(session: Session, block: Block, *, by: str, reason: str, actor: str,
         feed_row_id: int | None = None, event_id: int | None = None) -> Block:
    """Lift an open block (no commit)."""
    block.lifted_at = utcnow()
    block.lifted_by = by
    block.lift_reason = reason[:500]
    block.lift_feed_row_id = feed_row_id
    block.lift_event_id = event_id
    block.lifted_actor = actor[:120]
    session.flush()
    journal.emit(session, "ration.unblocked", subject_national_id(session, block),
                 {**_event_body(session, block), "lifted_by": by, "reason": block.lift_reason})
    return block


def get(session: Session, block_id: int, *, lock: bool = False) -> Block:
    block = session.get(Block, block_id, with_for_update=lock)
    if block is None:
        raise NotFound("no such block", code="block_not_found")
    return block
