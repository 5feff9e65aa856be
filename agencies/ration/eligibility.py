"""Who on a card is eligible on a date: the members' own blocks in force, the head's blocks
whose scope reaches the whole household, and the card's own blocks (its total income)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agencies.ration.cards import current_members
from agencies.ration.rules import HOUSEHOLD_IF_HEAD
from models.ration import Block, CardStatus, Household, Member


@dataclass(frozen=True)
class MemberStatus:
    member: Member
    eligible: bool
    reasons: list[str]  # categories; "household:<category>" when a card-wide block reaches all


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
        assert block.person_id is not None
        found[block.person_id].append(block)
    return found


def card_blocks_in_force(session: Session, household_id: int, on: date) -> list[Block]:
    return list(session.scalars(select(Block).where(
        Block.household_id == household_id, Block.lifted_at.is_(None), Block.starts_on <= on)
        .order_by(Block.id)))


def household_status(session: Session, household: Household, on: date) -> HouseholdStatus:
    members = current_members(session, household.id)
    if household.status != CardStatus.ACTIVE:
        return HouseholdStatus(household, ["card_closed"],
                               [MemberStatus(m, False, ["card_closed"]) for m in members])
    blocks = blocks_in_force(session, [m.person_id for m in members], on)
    head = next((m for m in members if m.role == "head"), None)
    wide = {b.category for b in card_blocks_in_force(session, household.id, on)}
    if head is not None:
        wide |= {b.category for b in blocks.get(head.person_id, [])
                 if b.scope == HOUSEHOLD_IF_HEAD}
    statuses = []
    for m in members:
        own = sorted({b.category for b in blocks.get(m.person_id, [])})
        reasons = own + [f"household:{c}" for c in sorted(wide) if not (m is head and c in own)]
        statuses.append(MemberStatus(m, not own and not wide, reasons))
    return HouseholdStatus(household, sorted(wide), statuses)
