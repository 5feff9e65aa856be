"""Households (cards) and their members: one open card per person, history kept on every
transfer, removal and move between registration centres. Services commit."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agencies.ration import agents, eligibility, life_events, reconcile
from agencies.ration.cards import card_of, current_members, get_card
from agencies.ration.schemas import HouseholdIn, MemberIn, MoveIn
from identity.access import journal
from identity.access.keys import Principal
from identity.platform.errors import Conflict, Invalid, NotFound
from identity.registry import persons
from models.base import utcnow
from models.ration import CardStatus, Household, HouseholdMove, Member

__all__ = ["card_of", "get_card"]  # re-exported: callers ask the card service


def enrollable(session: Session, national_id: str) -> int:
    """The person id of ``national_id`` if they may join a card: alive and on no card."""
    person = persons.get_by_national_id(session, national_id)
    if person.life_status == persons.LifeStatus.DECEASED:
        raise Invalid(f"{national_id} is recorded deceased", code="person_deceased")
    held = card_of(session, person.id)
    if held is not None:
        raise Conflict(f"{national_id} is already on ration card {held.card_number}",
                       code="already_on_card",
                       details={"national_id": national_id, "card_number": held.card_number})
    return int(person.id)


def changed(session: Session, household_ids: list[int], actor: str,
            left: tuple[int, ...] = ()) -> None:
    """After a membership change: reconcile the cards' income blocks, and the own income of
    the persons who ``left`` a card (no commit)."""
    today = date.today()
    for household_id in dict.fromkeys(household_ids):
        reconcile.card(session, household_id, actor=actor, today=today)
    for person_id in left:
        reconcile.person(session, person_id, ("income",), actor=actor, today=today,
                         why="the person left the card", by="membership")


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
        person_id = enrollable(session, entry.national_id)
        session.add(Member(household_id=household.id, person_id=person_id,
                           role="head" if i == 0 else "member",
                           authorised=True if i == 0 else entry.authorised))
        _flush_membership(session, entry.national_id)
    changed(session, [household.id], principal.actor)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.card.create", outcome="created",
                  details={"card_number": household.card_number, "members": len(entries)})
    session.commit()
    return household


def join(session: Session, household: Household, national_id: str, *, authorised: bool,
         actor: str) -> int:
    """Add a person to an active card (no commit); 409 when on another card. Person id."""
    if household.status != CardStatus.ACTIVE:
        raise Conflict("the card is closed", code="card_closed")
    person_id = enrollable(session, national_id)
    session.add(Member(household_id=household.id, person_id=person_id, role="member",
                       authorised=authorised))
    _flush_membership(session, national_id)
    changed(session, [household.id], actor)
    return person_id


def add_member(session: Session, *, principal: Principal, card_number: str,
               request: MemberIn) -> Household:
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    person_id = join(session, household, request.national_id, authorised=request.authorised,
                     actor=principal.actor)
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.member.add", outcome="added", person_id=person_id,
                  details={"card_number": card_number})
    session.commit()
    return household


def open_member(session: Session, household: Household, national_id: str) -> Member:
    person = persons.get_by_national_id(session, national_id)
    member = session.scalars(select(Member).where(
        Member.household_id == household.id, Member.person_id == person.id,
        Member.left_at.is_(None))).first()
    if member is None:
        raise NotFound(f"{national_id} is not on card {household.card_number}",
                       code="member_not_found")
    return member


def move_member(session: Session, member: Member, source: Household, target: Household, *,
                national_id: str, reason: str, actor: str) -> None:
    """Close ``member``'s membership of ``source`` and open one on ``target`` in the same
    transaction, the same moment (never on two cards: the one-card index holds). No commit."""
    if target.id == source.id or target.status != CardStatus.ACTIVE:
        raise Conflict("the target card is this card or closed", code="invalid_transfer")
    if member.role == "head":
        raise Conflict("name another head before transferring the head", code="head_transfer")
    member.left_at, member.left_reason = utcnow(), reason[:200]
    member.transferred_to_id = target.id
    session.flush()
    session.add(Member(household_id=target.id, person_id=member.person_id, role="member",
                       authorised=False, joined_at=member.left_at))
    _flush_membership(session, national_id)
    changed(session, [source.id, target.id], actor)


def transfer_member(session: Session, *, principal: Principal, card_number: str,
                    national_id: str, to_card: str, reason: str) -> Household:
    """Move a member to another card; the old membership is kept, closed, pointing at the new
    card. A head must be replaced first (409 ``head_transfer``). Commits."""
    agents.require_ministry(session, principal)
    source = get_card(session, card_number, lock=True)
    target = get_card(session, to_card, lock=True)
    member = open_member(session, source, national_id)
    move_member(session, member, source, target, national_id=national_id,
                reason=f"transfer: {reason}", actor=principal.actor)
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
    member = open_member(session, household, national_id)
    if member.role == "head":
        raise Conflict("name another head before removing the head", code="head_transfer")
    member.left_at, member.left_reason = utcnow(), f"removed: {reason}"[:200]
    session.flush()
    changed(session, [household.id], principal.actor, left=(member.person_id,))
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
    member = open_member(session, household, national_id)
    if member.role == "head" and not authorised:
        raise Conflict("the head always collects; name another head first", code="head_transfer")
    member.authorised = authorised
    journal.audit(session, actor=principal.actor, agency=principal.agency_name,
                  action="ration.member.authorise", outcome=str(authorised).lower(),
                  person_id=member.person_id,
                  details={"card_number": card_number, "reason": reason})
    session.commit()
    return household


def make_head(session: Session, household: Household, member: Member, actor: str) -> None:
    """``member`` becomes the head (and may collect); the old head a member. No commit."""
    for m in current_members(session, household.id):
        if m.role == "head":
            m.role = "member"
    member.role, member.authorised = "head", True
    session.flush()
    changed(session, [household.id], actor)


def set_head(session: Session, *, principal: Principal, card_number: str, national_id: str,
             reason: str) -> Household:
    agents.require_ministry(session, principal)
    household = get_card(session, card_number, lock=True)
    new_head = open_member(session, household, national_id)
    make_head(session, household, new_head, principal.actor)
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
                       grace_days: int) -> tuple[int, str, Household | None,
                                                 eligibility.HouseholdStatus | None]:
    """(person id, current national ID, card, its status on ``on``), after catching up on
    deaths (commits)."""
    life_events.catch_up(session, grace_days=grace_days)
    person = persons.get_by_national_id(session, national_id)
    household = card_of(session, person.id)
    result = eligibility.household_status(session, household, on) if household else None
    session.commit()
    return int(person.id), str(person.national_id), household, result
