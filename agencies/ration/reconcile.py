"""Bringing open blocks in line with what the facts decide: open a block the facts call for
(unless an upheld appeal still holds), lift one they no longer support. Called after a feed
row and after every change of a card's membership. No commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from agencies.ration import appeals, blocks, cards, decisions
from agencies.ration.decide import Decision
from models.ration import Household


@dataclass(frozen=True)
class Outcome:
    category: str
    outcome: str  # blocked | lifted | already_blocked | appeal_holds | no_change | no_rule...
    block_id: int | None = None


def _apply(session: Session, decision: Decision, *, person_id: int | None,
           household_id: int | None, category: str, actor: str, today: date,
           feed_row_id: int | None, why: str, by: str) -> Outcome:
    current = blocks.open_block(session, person_id, category, household_id=household_id)
    if decision.blocked:
        held = appeals.holding(session, person_id=person_id, household_id=household_id,
                               category=category, signature=decision.signature, today=today)
        if held is not None:
            if current is not None:
                blocks.lift(session, current, by="appeal", actor=actor,
                            reason=f"appeal {held.id} holds: {held.reason}")
            return Outcome(category, "appeal_holds")
        if current is not None:
            return Outcome(category, "already_blocked", current.id)
        assert decision.starts_on is not None
        placed = blocks.place(
            session, person_id=person_id, household_id=household_id, category_name=category,
            starts_on=decision.starts_on, rule=decision.rule,
            feed_row_id=decision.cause.id if decision.cause else None,
            details=decision.details or None)
        return Outcome(category, "blocked", placed.id if placed else None)
    if current is not None:
        blocks.lift(session, current, by=by, reason=why, actor=actor, feed_row_id=feed_row_id)
        return Outcome(category, "lifted", current.id)
    return Outcome(category, "no_rule_in_force" if decision.no_rule else "no_change")


def person(session: Session, person_id: int, categories: tuple[str, ...], *, actor: str,
           today: date, feed_row_id: int | None = None,
           why: str = "the facts no longer exclude", by: str = "feed") -> list[Outcome]:
    """Reconcile one person's blocks in ``categories`` (income: the member's own total).
    ``by`` names what moved (a ``feed`` row, a ``membership`` change, a life ``event``)."""
    out = []
    for name in categories:
        if name == "household_income":
            card = cards.card_of(session, person_id)
            if card is not None:
                out.append(household(session, card, actor=actor, today=today,
                                     feed_row_id=feed_row_id, why=why, by=by))
            continue
        decision = decisions.for_person(session, person_id, name, today)
        if decision is None:
            continue
        out.append(_apply(session, decision, person_id=person_id, household_id=None,
                          category=name, actor=actor, today=today, feed_row_id=feed_row_id,
                          why=why, by=by))
    return out


def household(session: Session, card: Household, *, actor: str, today: date,
              feed_row_id: int | None = None,
              why: str = "the household's income is no longer above the ceiling",
              by: str = "feed") -> Outcome:
    decision = decisions.for_household(session, card, today)
    return _apply(session, decision, person_id=None, household_id=card.id,
                  category="household_income", actor=actor, today=today,
                  feed_row_id=feed_row_id, why=why, by=by)


def card(session: Session, household_id: int, *, actor: str, today: date) -> None:
    """After a membership change: the card's total and each member's own income again."""
    found = session.get(Household, household_id)
    if found is None:
        return
    household(session, found, actor=actor, today=today, why="the card's members changed",
              by="membership")
    for member in cards.current_members(session, household_id):
        person(session, member.person_id, ("income",), actor=actor, today=today,
               why="the member's place on the card changed", by="membership")
