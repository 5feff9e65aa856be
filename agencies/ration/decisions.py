"""The decision the current facts take for a block's subject and category (what an appeal
is decided against, and what a reconciliation compares with the open blocks)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from agencies.ration import cards, income
from agencies.ration.decide import Decision, decide
from agencies.ration.rules import category
from models.ration import Block, Household

INCOME = ("household_income", "income")


def for_person(session: Session, person_id: int, category_name: str,
               today: date) -> Decision | None:
    """None for categories no feed decides (deaths, legacy rows)."""
    if category(category_name).source in ("events", "legacy"):
        return None
    if category_name == "income":
        member = cards.membership(session, person_id)
        return income.decide_member(session, person_id, member.role if member else None, today)
    return decide(session, person_id, category_name, today)


def for_household(session: Session, household: Household, today: date) -> Decision:
    members = cards.current_members(session, household.id)
    return income.decide_household(session, household, members, today)[0]


def current(session: Session, block: Block, today: date) -> Decision | None:
    if block.household_id is not None:
        household = session.get(Household, block.household_id)
        return for_household(session, household, today) if household else None
    if block.person_id is None:
        return None
    return for_person(session, block.person_id, block.category, today)
