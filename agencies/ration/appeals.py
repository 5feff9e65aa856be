"""Appeals. An upheld appeal lifts the block and *holds*: the next routine feed repeating the
disputed figures does not block again. It stops holding when the source data changes (another
figure, another membership, another trip: the decision's signature differs) or after the date
the decision states (``holds_until``); the block then comes back at the next decision."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration import blocks, decisions
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, Invalid
from models.base import utcnow
from models.ration import Block
from models.ration_cases import Appeal


def holding(session: Session, *, person_id: int | None, household_id: int | None,
            category: str, signature: str | None, today: date) -> Appeal | None:
    """The appeal that still holds against blocking this subject in this category, or None.
    An appeal whose figures changed or whose date passed is ended here (no commit)."""
    subject = (Appeal.household_id == household_id if household_id is not None
               else Appeal.person_id == person_id)
    found = None
    for appeal in session.scalars(select(Appeal).where(
            subject, Appeal.category == category, Appeal.ended_at.is_(None))
            .order_by(Appeal.id)):
        if appeal.holds_until is not None and today > appeal.holds_until:
            appeal.ended_at, appeal.ended_reason = utcnow(), "the stated date passed"
        elif appeal.signature is None or appeal.signature != signature:
            appeal.ended_at, appeal.ended_reason = utcnow(), "the source data changed"
        else:
            found = appeal
    session.flush()
    return found


def of_block(session: Session, block_id: int) -> list[Appeal]:
    return list(session.scalars(select(Appeal).where(Appeal.block_id == block_id)
                                .order_by(Appeal.id)))


def uphold(session: Session, *, principal: Principal, block_id: int, reason: str,
           holds_until: date | None, today: date) -> Block:
    """Uphold an appeal: lift the block and record the decision with the figures it was taken
    on (commits). 409 when the block was already lifted; 422 for a date already past."""
    block = blocks.get(session, block_id, lock=True)
    if block.lifted_at is not None:
        raise Conflict("this block was already lifted", code="block_already_lifted")
    if holds_until is not None and holds_until < today:
        raise Invalid("holds_until is in the past", code="invalid_holds_until")
    decision = decisions.current(session, block, today)
    appeal = Appeal(block_id=block.id, person_id=block.person_id,
                    household_id=block.household_id, category=block.category,
                    signature=decision.signature if decision else None,
                    holds_until=holds_until, reason=reason[:500], actor=principal.actor)
    session.add(appeal)
    blocks.lift(session, block, by="appeal", reason=reason, actor=principal.actor)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.block.appeal", outcome="upheld", person_id=block.person_id,
                  details={"block_id": block.id, "category": block.category, "reason": reason,
                           "holds_until": holds_until.isoformat() if holds_until else None})
    session.commit()
    return block
