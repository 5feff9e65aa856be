"""Who on a card is eligible on a date: the members' open blocks, and the head's blocks whose
scope reaches the whole household."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration.rules import HOUSEHOLD_IF_HEAD
from models.ration import Block, Household, Member


@dataclass(frozen=True)
class MemberStatus:
    member: Member
    eligible: bool
    reasons: list[str]  # categories; "household:<category>" when the head's block reaches all


@dataclass(frozen=True)
class HouseholdStatus:
    household: Household
    household_blocked_by: list[str]
    members: list[MemberStatus]

    @property
    def eligible_count(self) -> int:
        return sum(1 for m in self.members if m.eligible)


def blocks_in_force(session: Session, person_ids: list[int], on: date) -> dict[int, list[Block]]:
    """Open blocks that have started by ``on`` (a travel block starts after the allowed days)."""
    found: dict[int, list[Block]] = defaultdict(list)
    if not person_ids:
        return found
    for block in session.scalars(
            select(Block).where(Block.person_id.in_(person_ids), Block.lifted_at.is_(None),
                                Block.starts_on <= on).order_by(Block.id)):
        found[block.person_id].append(block)
    return found


def current_members(session: Session, household_id: int) -> list[Member]:
    return list(session.scalars(
        select(Member).where(Member.household_id == household_id, Member.left_at.is_(None))
        .order_by(Member.role != "head", Member.id)))


def household_status(session: Session, household: Household, on: date) -> HouseholdStatus:
    if household.status != "active":
        closed = current_members(session, household.id)
        return HouseholdStatus(household, ["card_closed"],
                               [MemberStatus(m, False, ["card_closed"]) for m in closed])
    members = current_members(session, household.id)
    blocks = blocks_in_force(session, [m.person_id for m in members], on)
    head = next((m for m in members if m.role == "head"), None)
    wide = sorted({b.category for b in blocks.get(head.person_id, []) if b.scope ==
                   HOUSEHOLD_IF_HEAD}) if head is not None else []
    statuses = []
    for m in members:
        own = sorted({b.category for b in blocks.get(m.person_id, [])})
        reasons = own if m is head else own + [f"household:{c}" for c in wide]
        statuses.append(MemberStatus(m, not own and not wide, reasons))
    return HouseholdStatus(household, wide, statuses)
