"""Turning rows into the response schemas (national IDs, never internal person ids)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from agencies.ration import agents, appeals, cards, eligibility, explain, facts, income, proposals
from agencies.ration.card_schemas import (
    AppealView,
    BlockExplained,
    FeedRowRef,
    HouseholdView,
    IncomeLineView,
    IncomeView,
    MemberIncomeView,
    ProposalView,
    RuleRef,
)
from agencies.ration.rules import HOUSEHOLD, HOUSEHOLD_IF_HEAD, category
from agencies.ration.schemas import BlockView, EligibilityView, MemberView, MoveView, RuleView
from identity.registry import persons
from models.ration import Block, Household, HouseholdMove, Member, Rule
from models.ration_cases import Proposal


def _nid(session: Session, person_id: int | None) -> str | None:
    return persons.resolve_person(session, person_id).national_id if person_id else None


def _card_number(session: Session, household_id: int | None) -> str | None:
    card = session.get(Household, household_id) if household_id is not None else None
    return card.card_number if card else None


def block_view(session: Session, block: Block) -> BlockView:
    return BlockView(
        id=block.id, national_id=_nid(session, block.person_id),
        card_number=_card_number(session, block.household_id), category=block.category,
        scope=block.scope, temporary=block.temporary, starts_on=block.starts_on,
        feed_row_id=block.feed_row_id, event_id=block.event_id, created_at=block.created_at,
        lifted_at=block.lifted_at, lifted_by=block.lifted_by, lift_reason=block.lift_reason)


def explained(session: Session, block: Block, on: date) -> BlockExplained:
    rule = session.get(Rule, block.rule_id) if block.rule_id is not None else None
    source = facts.source(session, block.feed_row_id)
    en, ar = explain.block_reasons(block, rule, source)
    known = category(block.category)
    return BlockExplained(
        id=block.id, national_id=_nid(session, block.person_id), category=block.category,
        reaches="card" if block.scope == HOUSEHOLD else (
            "card_when_head" if block.scope == HOUSEHOLD_IF_HEAD else "member"),
        in_force=block.lifted_at is None and block.starts_on <= on, starts_on=block.starts_on,
        lifted_at=block.lifted_at, lifted_by=block.lifted_by, lift_reason=block.lift_reason,
        label_en=known.label_en, label_ar=known.label_ar, explanation_en=en, explanation_ar=ar,
        rule=RuleRef(id=rule.id, category=rule.category, effective_from=rule.effective_from,
                     effective_to=rule.effective_to, threshold_iqd=rule.threshold_iqd,
                     max_grade=rule.max_grade, min_days=rule.min_days, basis=rule.basis)
        if rule else None,
        feed_row=FeedRowRef.model_validate(source) if source else None,
        event_id=block.event_id, details=block.details,
        appeals=[AppealView(id=a.id, reason=a.reason, holds_until=a.holds_until,
                            decided_at=a.decided_at, ended_at=a.ended_at,
                            ended_reason=a.ended_reason)
                 for a in appeals.of_block(session, block.id)])


def _member(session: Session, m: Member, eligible: bool | None,
            reasons: list[str]) -> MemberView:
    return MemberView(national_id=_nid(session, m.person_id) or "?", role=m.role,
                      authorised=m.authorised, joined_at=m.joined_at, left_at=m.left_at,
                      left_reason=m.left_reason, eligible=eligible, reasons=reasons)


def proposal_view(session: Session, p: Proposal) -> ProposalView:
    card = _card_number(session, p.household_id) or "?"
    from_card = _card_number(session, p.from_household_id)
    person, about = _nid(session, p.person_id) or "?", _nid(session, p.about_person_id)
    en, ar = explain.proposal_reasons(p.kind, {**p.details, "person": person, "about": about,
                                               "card": card, "from_card": from_card or "-"})
    return ProposalView(task_id=p.id, kind=p.kind, state=p.state, card_number=card,
                        from_card_number=from_card, national_id=person, about_national_id=about,
                        event_id=p.event_id, reason_en=en, reason_ar=ar, created_at=p.created_at,
                        decided_at=p.decided_at, decided_by=p.decided_by, note=p.note)


def _income(session: Session, household: Household, on: date) -> IncomeView:
    members = cards.current_members(session, household.id)
    decision, incomes = income.decide_household(session, household, members, on)
    d = decision.details
    return IncomeView(
        household_total_iqd=int(d.get("total_iqd", 0)), ceiling_iqd=d.get("ceiling_iqd"),
        month=d.get("month"), rule_id=d.get("rule_id"), above_ceiling=decision.blocked,
        members=[MemberIncomeView(
            national_id=mi.national_id, counted_in_household=mi.counted, why=mi.why,
            total_iqd=mi.total_iqd,
            rows=[IncomeLineView(**line.as_dict()) for line in mi.lines]) for mi in incomes])


def _card_blocks(session: Session, household: Household, person_ids: list[int]) -> list[Block]:
    return list(session.scalars(select(Block).where(or_(
        Block.household_id == household.id, Block.person_id.in_(person_ids)))
        .order_by(Block.id)))


def household_view(session: Session, status: eligibility.HouseholdStatus,
                   on: date) -> HouseholdView:
    h = status.household
    past = cards.past_members(session, h.id)
    moves = session.scalars(select(HouseholdMove).where(HouseholdMove.household_id == h.id)
                            .order_by(HouseholdMove.id)).all()
    current_ids = [s.member.person_id for s in status.members]
    return HouseholdView(
        card_number=h.card_number, governorate=h.governorate, centre=h.centre,
        agent_licence=agents.licence_of(session, h.agent_id), status=h.status,
        household_blocked_by=status.household_blocked_by,
        eligible_members=status.eligible_count,
        members=[_member(session, s.member, s.eligible, s.reasons) for s in status.members],
        past_members=[_member(session, m, None, []) for m in past],
        moves=[MoveView(from_centre=m.from_centre, to_centre=m.to_centre,
                        from_governorate=m.from_governorate, to_governorate=m.to_governorate,
                        reason=m.reason, at=m.at) for m in moves],
        blocks=[explained(session, b, on) for b in _card_blocks(session, h, current_ids)],
        income=_income(session, h, on),
        proposals=[proposal_view(session, p) for p in proposals.of_card(session, h.id)])


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
