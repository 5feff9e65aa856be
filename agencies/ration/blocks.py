"""Blocks: open, lift and appeal. Every change is an outbox event (``ration.blocked`` /
``ration.unblocked``) written with ``journal.emit`` in the caller's transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration.rules import CATEGORIES
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, NotFound
from models.base import utcnow
from models.person import Person
from models.ration import Block, Rule


def open_block(session: Session, person_id: int, category: str) -> Block | None:
    return session.scalars(select(Block).where(Block.person_id == person_id,
                                               Block.category == category,
                                               Block.lifted_at.is_(None))).first()


def _national_id(session: Session, person_id: int) -> str | None:
    person = session.get(Person, person_id)
    return person.national_id if person else None


def _event_body(block: Block) -> dict[str, object]:
    return {"block_id": block.id, "category": block.category, "scope": block.scope,
            "temporary": block.temporary, "starts_on": block.starts_on.isoformat(),
            "feed_row_id": block.feed_row_id, "event_id": block.event_id}


def place(session: Session, *, person_id: int, category: str, starts_on: date,
          rule: Rule | None, feed_row_id: int | None = None,
          event_id: int | None = None) -> Block | None:
    """Open a block (no commit); None when one is already open for this person and category."""
    if open_block(session, person_id, category) is not None:
        return None
    known = CATEGORIES[category]
    block = Block(person_id=person_id, category=category,
                  scope=rule.scope if rule is not None else known.scope,
                  temporary=rule.temporary if rule is not None else known.temporary,
                  rule_id=rule.id if rule is not None else None, starts_on=starts_on,
                  feed_row_id=feed_row_id, event_id=event_id)
    session.add(block)
    session.flush()
    journal.emit(session, "ration.blocked", _national_id(session, person_id), _event_body(block))
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
    journal.emit(session, "ration.unblocked", _national_id(session, block.person_id),
                 {**_event_body(block), "lifted_by": by, "reason": block.lift_reason})
    return block


def get(session: Session, block_id: int) -> Block:
    block = session.get(Block, block_id)
    if block is None:
        raise NotFound("no such block", code="block_not_found")
    return block


def appeal(session: Session, *, principal: Principal, block_id: int, reason: str) -> Block:
    """Reverse a block on appeal, with the reason (commits). 409 when already lifted."""
    block = session.get(Block, block_id, with_for_update=True)
    if block is None:
        raise NotFound("no such block", code="block_not_found")
    if block.lifted_at is not None:
        raise Conflict("this block was already lifted", code="block_already_lifted")
    lift(session, block, by="appeal", reason=reason, actor=principal.actor)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.block.appeal", outcome="lifted", person_id=block.person_id,
                  details={"block_id": block.id, "category": block.category, "reason": reason})
    session.commit()
    return block
