"""Reading cards and memberships (no decision here): which card holds a person, a card's
current members, a card by number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.platform.errors import NotFound
from models.ration import Household, Member


def membership(session: Session, person_id: int) -> Member | None:
    """The person's open membership (None when on no card)."""
    return session.scalars(select(Member).where(Member.person_id == person_id,
                                                Member.left_at.is_(None))).first()


def card_of(session: Session, person_id: int) -> Household | None:
    """The card holding ``person_id`` now (None when on no card)."""
    member = membership(session, person_id)
    return session.get(Household, member.household_id) if member is not None else None


def get_card(session: Session, card_number: str, *, lock: bool = False) -> Household:
    query = select(Household).where(Household.card_number == card_number)
    if lock:
        query = query.with_for_update()
    household = session.scalars(query).first()
    if household is None:
        raise NotFound("no ration card has this number", code="card_not_found")
    return household


def current_members(session: Session, household_id: int) -> list[Member]:
    """Open memberships, the head first."""
    return list(session.scalars(
        select(Member).where(Member.household_id == household_id, Member.left_at.is_(None))
        .order_by(Member.role != "head", Member.id)))


def past_members(session: Session, household_id: int) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.household_id == household_id,
                                                     Member.left_at.is_not(None))
                                .order_by(Member.id)))
