"""Turning rows into the response schemas (national IDs, never internal person ids)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration import eligibility
from agencies.ration.schemas import (
    BlockView,
    EligibilityView,
    HouseholdView,
    MemberView,
    MoveView,
    RuleView,
)
from models.person import Person
from models.ration import Block, HouseholdMove, Member, RationAgent, Rule


def _nid(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return person.national_id if person else "?"


def block_view(session: Session, block: Block) -> BlockView:
    return BlockView(
        id=block.id, national_id=_nid(session, block.person_id), category=block.category,
        scope=block.scope, temporary=block.temporary, starts_on=block.starts_on,
        feed_row_id=block.feed_row_id, event_id=block.event_id, created_at=block.created_at,
        lifted_at=block.lifted_at, lifted_by=block.lifted_by, lift_reason=block.lift_reason)


def _member(session: Session, m: Member, eligible: bool | None,
            reasons: list[str]) -> MemberView:
    return MemberView(national_id=_nid(session, m.person_id), role=m.role,
                      authorised=m.authorised, joined_at=m.joined_at, left_at=m.left_at,
                      left_reason=m.left_reason, eligible=eligible, reasons=reasons)


def household_view(session: Session, status: eligibility.HouseholdStatus) -> HouseholdView:
    h = status.household
    agent = session.get(RationAgent, h.agent_id) if h.agent_id else None
    past = session.scalars(select(Member).where(Member.household_id == h.id,
                                                Member.left_at.is_not(None))
                           .order_by(Member.id)).all()
    moves = session.scalars(select(HouseholdMove).where(HouseholdMove.household_id == h.id)
                            .order_by(HouseholdMove.id)).all()
    return HouseholdView(
        card_number=h.card_number, governorate=h.governorate, centre=h.centre,
        agent_licence=agent.licence if agent else None, status=h.status,
        household_blocked_by=status.household_blocked_by,
        eligible_members=status.eligible_count,
        members=[_member(session, s.member, s.eligible, s.reasons) for s in status.members],
        past_members=[_member(session, m, None, []) for m in past],
        moves=[MoveView(from_centre=m.from_centre, to_centre=m.to_centre,
                        from_governorate=m.from_governorate, to_governorate=m.to_governorate,
                        reason=m.reason, at=m.at) for m in moves])


def eligibility_view(session: Session, national_id: str, card_number: str | None,
                     status: eligibility.HouseholdStatus | None, person_id: int,
                     on: date) -> EligibilityView:
    blocks = session.scalars(select(Block).where(Block.person_id == person_id)
                             .order_by(Block.id)).all()
    mine = None
    if status is not None:
        mine = next((s for s in status.members if s.member.person_id == person_id), None)
    return EligibilityView(
        national_id=national_id, card_number=card_number, on=on,
        eligible=bool(mine and mine.eligible),
        reasons=mine.reasons if mine else ["not_on_a_card"],
        blocks=[block_view(session, b) for b in blocks])


def rule_view(rule: Rule) -> RuleView:
    return RuleView(id=rule.id, category=rule.category, scope=rule.scope,
                    temporary=rule.temporary, threshold_iqd=rule.threshold_iqd,
                    min_days=rule.min_days, max_grade=rule.max_grade,
                    effective_from=rule.effective_from, effective_to=rule.effective_to,
                    basis=rule.basis)
