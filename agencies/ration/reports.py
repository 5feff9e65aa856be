"""What the ministry looks at: eligible persons and households by governorate, blocks by
reason, receipts per round, complaints per agent and per item. Aggregated in SQL (the same
rules as ``eligibility``: a member's own started blocks, and the head's household-wide ones)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from agencies.ration.rules import HOUSEHOLD_IF_HEAD
from models.ration import Block, Complaint, Household, Member, RationAgent, Receipt, Round


def _in_force(block: Any, on: date) -> Any:
    return and_(block.lifted_at.is_(None), block.starts_on <= on)


def eligible_by_governorate(session: Session, on: date) -> list[dict[str, Any]]:
    own = aliased(Block)
    head, head_block = aliased(Member), aliased(Block)
    own_block = exists().where(own.person_id == Member.person_id, _in_force(own, on))
    wide_block = exists().where(
        head.household_id == Member.household_id, head.role == "head", head.left_at.is_(None),
        head_block.person_id == head.person_id, head_block.scope == HOUSEHOLD_IF_HEAD,
        _in_force(head_block, on))
    rows = session.execute(
        select(Household.governorate, func.count(Member.id),
               func.count(func.distinct(Household.id)))
        .join(Member, Member.household_id == Household.id)
        .where(Household.status == "active", Member.left_at.is_(None), ~own_block, ~wide_block)
        .group_by(Household.governorate).order_by(Household.governorate)).all()
    return [{"governorate": g, "eligible_persons": p, "eligible_households": h}
            for g, p, h in rows]


def blocked_by_reason(session: Session, on: date) -> list[dict[str, Any]]:
    """Persons with a block in force, by category; households a head's block reaches."""
    persons = dict(session.execute(
        select(Block.category, func.count(func.distinct(Block.person_id)))
        .where(_in_force(Block, on)).group_by(Block.category)).all())
    households = dict(session.execute(
        select(Block.category, func.count(func.distinct(Member.household_id)))
        .join(Member, and_(Member.person_id == Block.person_id, Member.left_at.is_(None),
                           Member.role == "head"))
        .where(_in_force(Block, on), Block.scope == HOUSEHOLD_IF_HEAD)
        .group_by(Block.category)).all())
    return [{"reason": c, "persons": persons[c], "households": households.get(c, 0)}
            for c in sorted(persons)]


def receipts_per_round(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Round.code, func.count(Receipt.id), func.coalesce(func.sum(
            Receipt.eligible_members), 0))
        .outerjoin(Receipt, Receipt.round_id == Round.id)
        .group_by(Round.id, Round.code).order_by(Round.opens_on, Round.code)).all()
    return [{"round": code, "receipts": n, "persons_served": int(served)}
            for code, n, served in rows]


def complaints_per_agent(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(RationAgent.licence, Complaint.state, func.count(Complaint.id))
        .join(Complaint, Complaint.agent_id == RationAgent.id)
        .group_by(RationAgent.licence, Complaint.state)).all()
    return _pivot(rows, "agent")


def complaints_per_item(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Complaint.item, Complaint.state, func.count(Complaint.id))
        .where(Complaint.item.is_not(None)).group_by(Complaint.item, Complaint.state)).all()
    return _pivot(rows, "item")


def _pivot(rows: Any, key: str) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, state, n in rows:
        entry = out.setdefault(name, {key: name, "total": 0, "by_state": {}})
        entry["by_state"][state] = n
        entry["total"] += n
    return [out[k] for k in sorted(out)]


def summary(session: Session, on: date) -> dict[str, Any]:
    """The whole report (reads only)."""
    return {
        "on": on.isoformat(),
        "eligible_by_governorate": eligible_by_governorate(session, on),
        "blocked_by_reason": blocked_by_reason(session, on),
        "receipts_per_round": receipts_per_round(session),
        "complaints_per_agent": complaints_per_agent(session),
        "complaints_per_item": complaints_per_item(session),
    }
