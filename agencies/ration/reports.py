"""What the ministry looks at: eligible persons and households by governorate, blocks by
reason and by category and month, receipts per round, complaints by state, per agent and per
item. Aggregated in SQL (the same rules as ``eligibility``: a member's own started blocks, the
head's household-wide ones, and the card's own blocks — its total income)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, TypedDict

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from agencies.ration import agents, life_events
from agencies.ration.rules import HOUSEHOLD_IF_HEAD
from identity.access.keys import Principal
from models.ration import (
    Block,
    CardStatus,
    Complaint,
    Household,
    Member,
    RationAgent,
    Receipt,
    Round,
)


class EligibleRow(TypedDict):
    governorate: str
    eligible_persons: int
    eligible_households: int


class BlockedRow(TypedDict):
    reason: str
    persons: int
    households: int


class MonthRow(TypedDict):
    month: str  # YYYY-MM
    category: str
    blocks: int


class RoundRow(TypedDict):
    round: str
    receipts: int
    persons_served: int


class StateRow(TypedDict):
    state: str
    complaints: int


class AgentRow(TypedDict):
    agent: str  # the agent's licence
    total: int
    by_state: dict[str, int]


class ItemRow(TypedDict):
    item: str
    total: int
    by_state: dict[str, int]


class Summary(TypedDict):
    on: str
    eligible_by_governorate: list[EligibleRow]
    blocked_by_reason: list[BlockedRow]
    blocks_by_month: list[MonthRow]
    receipts_per_round: list[RoundRow]
    complaints_by_state: list[StateRow]
    complaints_per_agent: list[AgentRow]
    complaints_per_item: list[ItemRow]


def _in_force(block: Any, on: date) -> Any:
    return and_(block.lifted_at.is_(None), block.starts_on <= on)


def eligible_by_governorate(session: Session, on: date) -> list[EligibleRow]:
    own = aliased(Block)
    head, head_block = aliased(Member), aliased(Block)
    own_block = exists().where(own.person_id == Member.person_id, _in_force(own, on))
    wide_block = exists().where(
        head.household_id == Member.household_id, head.role == "head", head.left_at.is_(None),
        head_block.person_id == head.person_id, head_block.scope == HOUSEHOLD_IF_HEAD,
        _in_force(head_block, on))
    card = aliased(Block)
    card_block = exists().where(card.household_id == Member.household_id, _in_force(card, on))
    rows = session.execute(
        select(Household.governorate, func.count(Member.id),
               func.count(func.distinct(Household.id)))
        .join(Member, Member.household_id == Household.id)
        .where(Household.status == CardStatus.ACTIVE, Member.left_at.is_(None), ~own_block,
               ~wide_block, ~card_block)
        .group_by(Household.governorate).order_by(Household.governorate)).all()
    return [{"governorate": g, "eligible_persons": p, "eligible_households": h}
            for g, p, h in rows]


def blocked_by_reason(session: Session, on: date) -> list[BlockedRow]:
    """Persons a block in force reaches, by category (a card's block: its current members);
    households reached (a head's household-wide block, or the card's own)."""
    own = dict(session.execute(
        select(Block.category, func.count(func.distinct(Block.person_id)))
        .where(_in_force(Block, on), Block.person_id.is_not(None))
        .group_by(Block.category)).all())
    on_card = dict(session.execute(
        select(Block.category, func.count(Member.id))
        .join(Member, and_(Member.household_id == Block.household_id, Member.left_at.is_(None)))
        .where(_in_force(Block, on)).group_by(Block.category)).all())
    households = dict(session.execute(
        select(Block.category, func.count(func.distinct(Household.id)))
        .join(Member, and_(Member.left_at.is_(None), or_(
            and_(Member.person_id == Block.person_id, Member.role == "head",
                 Block.scope == HOUSEHOLD_IF_HEAD),
            Member.household_id == Block.household_id)))
        .join(Household, Household.id == Member.household_id)
        .where(_in_force(Block, on)).group_by(Block.category)).all())
    names = sorted(set(own) | set(on_card))
    return [{"reason": c, "persons": own.get(c, 0) + on_card.get(c, 0),
             "households": households.get(c, 0)} for c in names]


def blocks_by_month(session: Session) -> list[MonthRow]:
    """Blocks by category and the month they took effect (lifted ones too), oldest first."""
    rows = session.execute(
        select(Block.category, Block.starts_on, func.count(Block.id))
        .group_by(Block.category, Block.starts_on)).all()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for category, starts_on, n in rows:
        counts[(starts_on.isoformat()[:7], category)] += int(n)
    return [{"month": month, "category": category, "blocks": n}
            for (month, category), n in sorted(counts.items())]


def receipts_per_round(session: Session) -> list[RoundRow]:
    rows = session.execute(
        select(Round.code, func.count(Receipt.id), func.coalesce(func.sum(
            Receipt.eligible_members), 0))
        .outerjoin(Receipt, Receipt.round_id == Round.id)
        .group_by(Round.id, Round.code).order_by(Round.opens_on, Round.code)).all()
    return [{"round": code, "receipts": n, "persons_served": int(served)}
            for code, n, served in rows]


def complaints_per_agent(session: Session) -> list[AgentRow]:
    rows = session.execute(
        select(RationAgent.licence, Complaint.state, func.count(Complaint.id))
        .join(Complaint, Complaint.agent_id == RationAgent.id)
        .group_by(RationAgent.licence, Complaint.state)).all()
    return [{"agent": name, "total": total, "by_state": by_state}
            for name, total, by_state in _pivot(rows)]


def complaints_by_state(session: Session) -> list[StateRow]:
    rows = session.execute(select(Complaint.state, func.count(Complaint.id))
                           .group_by(Complaint.state).order_by(Complaint.state)).all()
    return [{"state": state, "complaints": int(n)} for state, n in rows]


def complaints_per_item(session: Session) -> list[ItemRow]:
    rows = session.execute(
        select(Complaint.item, Complaint.state, func.count(Complaint.id))
        .where(Complaint.item.is_not(None)).group_by(Complaint.item, Complaint.state)).all()
    return [{"item": name, "total": total, "by_state": by_state}
            for name, total, by_state in _pivot(rows)]


def _pivot(rows: Any) -> list[tuple[str, int, dict[str, int]]]:
    """(name, total, count by state) per name, names in order, from (name, state, n) rows."""
    by_name: dict[str, dict[str, int]] = {}
    for name, state, n in rows:
        by_name.setdefault(name, {})[state] = n
    return [(k, sum(by_name[k].values()), by_name[k]) for k in sorted(by_name)]


def summary(session: Session, on: date) -> Summary:
    """The whole report (reads only)."""
    return {
        "on": on.isoformat(),
        "eligible_by_governorate": eligible_by_governorate(session, on),
        "blocked_by_reason": blocked_by_reason(session, on),
        "blocks_by_month": blocks_by_month(session),
        "receipts_per_round": receipts_per_round(session),
        "complaints_by_state": complaints_by_state(session),
        "complaints_per_agent": complaints_per_agent(session),
        "complaints_per_item": complaints_per_item(session),
    }


def for_ministry(session: Session, *, principal: Principal, on: date,
                 grace_days: int) -> Summary:
    """The report for a ministry key, after applying new life events (commits those)."""
    agents.require_ministry(session, principal)
    life_events.sync(session=session, grace_days=grace_days)
    result = summary(session, on)
    session.rollback()
    return result
