"""Households (cards) and their members: one open card per person, history kept on every
transfer, removal and move between registration centres. Services commit."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agencies.ration import agents, eligibility, life_events
from agencies.ration.schemas import HouseholdIn, MemberIn, MoveIn
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.registry import persons
from models.base import utcnow
from models.person import Person
from models.ration import Household, HouseholdMove, Member


def card_of(session: Session, person_id: int) -> Household | None:
    """The card holding ``person_id`` now (None when on no card)."""
    return session.scalars(
        select(Household).join(Member, Member.household_id == Household.id)
        .where(Member.person_id == person_id, Member.left_at.is_(None))).first()


def get_card(session: Session, card_number: str, *, lock: bool = False) -> Household:
    query = select(Household).where(Household.card_number == card_number)
    if lock:
        query = query.with_for_update()
    household = session.scalars(query).first()
    if household is None:
        raise NotFound("no ration card has this number", code="card_not_found")
    return household


def _enrollable(session: Session, national_id: str) -> Person:
    person = persons.get_by_national_id(session, national_id)
    if person.life_status == "deceased":
        raise Invalid(f"{national_id} is recorded deceased", code="person_deceased")
    held = card_of(session, person.id)
    if held is not None:
        raise Conflict(f"{national_id} is already on ration card {held.card_number}",
                       code="already_on_card",
                       details={"national_id": national_id, "card_number": held.card_number})
    return person


def _flush_membership(session: Session, national_id: str) -> None:
    """Flush, turning a lost race on the one-card index into the same 409 as the check."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        person = persons.get_by_national_id(session, national_id)
        held = card_of(session, person.id)
        raise Conflict(f"{national_id} is already on ration card "
                       f"{held.card_number if held else '?'}", code="already_on_card",
                       details={"national_id": national_id,
                                "card_number": held.card_number if held else None}) from None


def _new_card_number(session: Session) -> str:
    while True:
        number = "RC" + "".join(str(secrets.randbelow(10)) for _ in range(10))
        if session.scalars(select(Household.id).where(Household.card_number == number)
                           ).first() is None:
            return number


def create(session: Session, *, principal: Principal, request: HouseholdIn) -> Household:
    """Register a card with its head and members (commits); 409 names the card holding anyone
    already on one, and nothing is stored."""
    agents.require_ministry(session, principal)
    ids = [request.head] + [m.national_id for m in request.members]
    if len(set(ids)) != len(ids):
        raise Invalid("a person is listed twice", code="duplicate_member")
    agent = agents.by_licence(session, request.agent_licence) if request.agent_licence else None
    household = Household(card_number=_new_card_number(session),
                          governorate=agents.governorate(request.governorate),
                          centre=request.centre, agent_id=agent.id if agent else None)
    session.add(household)
    session.flush()
    entries = [MemberIn(national_id=request.head, authorised=True), *request.members]
    for i, entry in enumerate(entries):
        person = _enrollable(session, entry.national_id)
        session.add(Member(household_id=household.id, person_id=person.id,
                           role="head" if i == 0 else "member",
                           authorised=True if i == 0 else entry.authorised))
        _flush_membership(session, entry.national_id)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.card.create", outcome="created",
                  details={"card_number": household.card_number, "members": len(entries)})
    session.commit()
    return household


def add_member(session: Session, *, principal: Principal, card_number: str,
               request: MemberIn) -> Household:
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    if household.status != "active":
        raise Conflict("the card is closed", code="card_closed")
    person = _enrollable(session, request.national_id)
    session.add(Member(household_id=household.id, person_id=person.id, role="member",
                       authorised=request.authorised))
    _flush_membership(session, request.national_id)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.member.add", outcome="added", person_id=person.id,
                  details={"card_number": card_number})
    session.commit()
    return household


def _open_member(session: Session, household: Household, national_id: str) -> Member:
    person = persons.get_by_national_id(session, national_id)
    member = session.scalars(select(Member).where(
        Member.household_id == household.id, Member.person_id == person.id,
        Member.left_at.is_(None))).first()
    if member is None:
        raise NotFound(f"{national_id} is not on card {household.card_number}",
                       code="member_not_found")
    return member


def transfer_member(session: Session, *, principal: Principal, card_number: str,
                    national_id: str, to_card: str, reason: str) -> Household:
    """Move a member to another card; the old membership is kept, closed, pointing at the new
    card. A head must be replaced first (409 ``head_transfer``). Commits."""
    agents.require_ministry(session, principal)
    source = get_card(session, card_number, lock=True)
    target = get_card(session, to_card, lock=True)
    if target.id == source.id or target.status != "active":
        raise Conflict("the target card is this card or closed", code="invalid_transfer")
    member = _open_member(session, source, national_id)
    if member.role == "head":
        raise Conflict("name another head before transferring the head", code="head_transfer")
    member.left_at, member.left_reason = utcnow(), f"transfer: {reason}"[:200]
    member.transferred_to_id = target.id
    session.flush()
    session.add(Member(household_id=target.id, person_id=member.person_id, role="member",
                       authorised=False))
    _flush_membership(session, national_id)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.member.transfer", outcome="transferred",
                  person_id=member.person_id,
                  details={"from": card_number, "to": to_card, "reason": reason})
    session.commit()
    return target


def remove_member(session: Session, *, principal: Principal, card_number: str,
                  national_id: str, reason: str) -> Household:
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    member = _open_member(session, household, national_id)
    if member.role == "head":
        raise Conflict("name another head before removing the head", code="head_transfer")
    member.left_at, member.left_reason = utcnow(), f"removed: {reason}"[:200]
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.member.remove", outcome="removed", person_id=member.person_id,
                  details={"card_number": card_number, "reason": reason})
    session.commit()
    return household


def set_authorised(session: Session, *, principal: Principal, card_number: str,
                   national_id: str, authorised: bool, reason: str) -> Household:
    """Allow or stop a member collecting for the card (the head always may). Commits."""
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    member = _open_member(session, household, national_id)
    if member.role == "head" and not authorised:
        raise Conflict("the head always collects; name another head first", code="head_transfer")
    member.authorised = authorised
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.member.authorise", outcome=str(authorised).lower(),
                  person_id=member.person_id,
                  details={"card_number": card_number, "reason": reason})
    session.commit()
    return household


def set_head(session: Session, *, principal: Principal, card_number: str, national_id: str,
             reason: str) -> Household:
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    new_head = _open_member(session, household, national_id)
    for m in eligibility.current_members(session, household.id):
        if m.role == "head":
            m.role = "member"
    new_head.role, new_head.authorised = "head", True
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.card.head", outcome="changed", person_id=new_head.person_id,
                  details={"card_number": card_number, "reason": reason})
    session.commit()
    return household


def move(session: Session, *, principal: Principal, card_number: str,
         request: MoveIn) -> Household:
    """Move a card to another registration centre / governorate / agent, keeping history."""
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    agent = agents.by_licence(session, request.agent_licence) if request.agent_licence else None
    to_gov = agents.governorate(request.governorate)
    session.add(HouseholdMove(
        household_id=household.id, from_centre=household.centre, to_centre=request.centre,
        from_governorate=household.governorate, to_governorate=to_gov,
        from_agent_id=household.agent_id, to_agent_id=agent.id if agent else None,
        reason=request.reason, actor=principal.actor))
    household.centre, household.governorate = request.centre, to_gov
    household.agent_id = agent.id if agent else None
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.card.move", outcome="moved",
                  details={"card_number": card_number, "to_centre": request.centre})
    session.commit()
    return household


def status(session: Session, *, card_number: str, on: date,
           grace_days: int) -> eligibility.HouseholdStatus:
    """The card's members and their eligibility on ``on``, after catching up on deaths
    (commits the catch-up)."""
    life_events.catch_up(session, grace_days=grace_days)
    household = get_card(session, card_number)
    result = eligibility.household_status(session, household, on)
    session.commit()
    return result


def person_eligibility(session: Session, *, national_id: str, on: date,
                       grace_days: int) -> tuple[Person, Household | None,
                                                 eligibility.HouseholdStatus | None]:
    """A person's card and its status on ``on``, after catching up on deaths (commits)."""
    life_events.catch_up(session, grace_days=grace_days)
    person = persons.get_by_national_id(session, national_id)
    household = card_of(session, person.id)
    result = eligibility.household_status(session, household, on) if household else None
    session.commit()
    return person, household, result
