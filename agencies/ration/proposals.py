"""What life events propose for a card — each proposal is a task in the staff queue, decided
in ``tasks``. Proposed from the identity event feed by ``life_events``:

- the head died → ``new_head``: the spouse on the card (the earliest marriage in force), else
  the eldest adult member; ``head_needed`` when the card has no adult to propose;
- a birth → ``add_newborn`` on the card of the mother (else the father);
- a marriage → ``move_spouse`` (the wife from her card to the husband's) or ``add_spouse`` (the
  wife on no card);
- a divorce → ``return_after_divorce`` (the wife back to her father's card).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from agencies.ration import cards
from agencies.ration.income import ADULT_AGE
from identity.registry import kinship, persons
from models.base import utcnow
from models.ration import Household
from models.ration_cases import Proposal, ProposalState

KINDS = ("new_head", "head_needed", "add_newborn", "move_spouse", "add_spouse",
         "return_after_divorce")
STATES = tuple(ProposalState)


def propose(session: Session, *, kind: str, household_id: int, person_id: int,
            about_person_id: int | None, event_id: int | None, details: dict[str, Any],
            from_household_id: int | None = None) -> Proposal:
    """Open a proposal (no commit); the same open proposal is not opened twice."""
    assert kind in KINDS
    same = session.scalars(select(Proposal).where(
        Proposal.kind == kind, Proposal.household_id == household_id,
        Proposal.person_id == person_id, Proposal.state == ProposalState.OPEN)).first()
    if same is not None:
        return same
    proposal = Proposal(kind=kind, household_id=household_id, person_id=person_id,
                        about_person_id=about_person_id, event_id=event_id, details=details,
                        from_household_id=from_household_id, state=ProposalState.OPEN)
    session.add(proposal)
    session.flush()
    return proposal


def of_card(session: Session, household_id: int) -> list[Proposal]:
    """Every proposal touching a card (as target or as the card a person leaves)."""
    return list(session.scalars(select(Proposal).where(or_(
        Proposal.household_id == household_id, Proposal.from_household_id == household_id))
        .order_by(Proposal.id)))


def open_head_task(session: Session, household_id: int) -> Proposal | None:
    return session.scalars(select(Proposal).where(
        Proposal.household_id == household_id, Proposal.state == ProposalState.OPEN,
        Proposal.kind.in_(("new_head", "head_needed"))).order_by(Proposal.id)).first()


def tasks(session: Session, state: str | None, limit: int) -> list[Proposal]:
    query = select(Proposal).order_by(Proposal.id).limit(limit)
    if state is not None:
        query = query.where(Proposal.state == state)
    return list(session.scalars(query))


def void_about(session: Session, person_id: int, kinds: tuple[str, ...], note: str) -> int:
    """Void the open proposals about ``person_id`` (the event behind them was reversed)."""
    found = list(session.scalars(select(Proposal).where(
        Proposal.about_person_id == person_id, Proposal.kind.in_(kinds),
        Proposal.state == ProposalState.OPEN)))
    for proposal in found:
        proposal.state = ProposalState.VOID
        proposal.decided_at, proposal.note = utcnow(), note[:500]
    session.flush()
    return len(found)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def next_head(session: Session, household: Household, deceased_id: int,
              on: date) -> tuple[int | None, str]:
    """(person id, why) of the proposed head: the spouse on the card whose marriage is the
    earliest in force on ``on``, else the eldest adult member alive; (None, "no_adult")."""
    members = {m.person_id: m for m in cards.current_members(session, household.id)
               if m.person_id != deceased_id}
    alive = {pid: persons.resolve_person(session, pid) for pid in members}
    alive = {pid: p for pid, p in alive.items() if p.life_status != persons.LifeStatus.DECEASED}
    deceased = persons.resolve_person(session, deceased_id)
    spouses = sorted((m.contract_date, m.id, s.id) for m, s in kinship.marriages(session, deceased)
                     if kinship.married_at(m, on) and s.id in alive)
    if spouses:
        return spouses[0][2], "spouse"
    adults = sorted((p.birth_date, pid) for pid, p in alive.items()
                    if _age(p.birth_date, on) >= ADULT_AGE)
    if adults:
        return adults[0][1], "eldest_adult"
    return None, "no_adult"
